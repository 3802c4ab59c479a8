// Structured JSON logs (pino). Set LOG_LEVEL=debug for more, LOG_LEVEL=silent in tests.
// Secrets are never logged on purpose; the redaction below is the safety net for
// a header or a token passed along by mistake.
import { pino } from 'pino';
import { logLevelOf } from './environment.js';

export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'adminToken',
  '*.adminToken',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'visitorTokenSecrets',
  '*.visitorTokenSecrets',
];

export const logger = pino({
  level: logLevelOf(process.env),
  base: { service: 'recsys' },
  redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
});

export type Logger = typeof logger;
