// The HTTP server: GraphQL at /graphql (Apollo Sandbox for browsers), /healthz
// (process alive) and /readyz (database reachable and migrated).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type pg from 'pg';
import { pendingMigrations } from '../store/migrate.js';
import { adminMutationsPlugin } from './auth.js';
import { createContext, type ApiContext, type ApiServices } from './context.js';
import { resolvers } from './resolvers/index.js';
import { depthLimitRule, costLimitPlugin } from './query-limits.js';
import { apolloRoute, router, sendJson } from './http.js';
import { jitGateway } from './jit.js';

export const SCHEMA_PATH = path.resolve(import.meta.dirname, '../../schema.graphql');

export interface ApiServer {
  httpServer: http.Server;
  /** Listens on port (0 = any free port) and resolves with the URL of /graphql. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createApiServer(services: ApiServices & { pool: pg.Pool }): Promise<ApiServer> {
  const httpServer = http.createServer();
  const schema = makeExecutableSchema<ApiContext>({ typeDefs: fs.readFileSync(SCHEMA_PATH, 'utf8'), resolvers });
  const apollo = new ApolloServer<ApiContext>({
    // Executes with graphql-jit (see jit.ts).
    gateway: jitGateway(schema),
    introspection: true,
    // main.ts stops the whole service on SIGINT/SIGTERM, in order. Apollo's own handler (on by default outside
    // NODE_ENV=test) would stop Apollo alone, beside it, and then raise the signal again.
    stopOnTerminationSignals: false,
    // Apollo's own messages (e.g. an unexpected error processing a request) go to our structured log.
    logger: services.log,
    // Errors carry our codes; stack traces stay in the logs.
    includeStacktraceInErrorResponses: false,
    // Checked once per distinct query text (Apollo caches validation); cost is checked per request.
    validationRules: [depthLimitRule()],
    plugins: [
      costLimitPlugin(),
      // On by default, it hooks every field of every response (we set no cache hints): a measured cost at 2,000 req/s.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      adminMutationsPlugin,
      {
        async requestDidStart() {
          return {
            async didEncounterErrors({ errors, contextValue }) {
              for (const error of errors) {
                const code = error.extensions?.code;
                if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
                  contextValue.log.error({ err: error.originalError ?? error, path: error.path }, 'resolver failed');
                }
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  let migrated = false;
  const readyz = async (res: http.ServerResponse) => {
    try {
      await services.pool.query('SELECT 1');
      if (!migrated) {
        const pending = await pendingMigrations(services.pool);
        if (pending.length > 0) return sendJson(res, 503, { status: 'migrations pending', pending });
        migrated = true;
      }
      sendJson(res, 200, { status: 'ready' });
    } catch (error) {
      sendJson(res, 503, { status: 'database unreachable', error: (error as Error).message });
    }
  };

  httpServer.on(
    'request',
    router(
      {
        '/graphql': apolloRoute(apollo, async (req) => createContext(services, req.headers.authorization)),
        '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
        '/readyz': (_req, res) => readyz(res),
      },
      (error) => services.log.error({ err: error }, 'request failed'),
    ),
  );

  return {
    httpServer,
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address();
          const actualPort = typeof address === 'object' && address ? address.port : port;
          const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          resolve(`http://${shownHost}:${actualPort}/graphql`);
        });
      });
    },
    async close() {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
