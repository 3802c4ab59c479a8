// `npm start`: the recommendation service (src/launch.ts), configured from its
// environment: GraphQL with Apollo Sandbox, and training unless ROLE=api.
import { loadConfig, type AppConfig } from './config.js';
import { EnvironmentError } from './environment.js';
import { logger } from './log.js';
import { launch } from './launch.js';

const fail = (error: unknown) => {
  // A configuration error is the operator's to fix: the message says how; a stack would only hide it.
  logger.fatal(error instanceof EnvironmentError ? {} : { err: error }, `could not start: ${(error as Error).message}`);
  process.exit(1);
};

let config: AppConfig | undefined;
try {
  config = loadConfig();
} catch (error) {
  fail(error);
}
if (config) launch(config).catch(fail);
