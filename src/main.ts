// `npm start`: the recommendation service (src/launch.ts), configured from its
// environment: GraphQL with Apollo Sandbox, and training unless TRAINER=false.
import { loadConfig } from './config.js';
import { logger } from './log.js';
import { launch } from './launch.js';

launch(loadConfig()).catch((error) => {
  logger.fatal({ err: error }, `could not start: ${(error as Error).message}`);
  process.exit(1);
});
