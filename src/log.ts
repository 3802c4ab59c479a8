// Structured JSON logs (pino). Set LOG_LEVEL=debug for more, LOG_LEVEL=silent in tests.
import { pino } from 'pino';

export const logger = pino({
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'recsys' },
});

export type Logger = typeof logger;
