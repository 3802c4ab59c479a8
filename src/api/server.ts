// The HTTP server: GraphQL at /graphql (Apollo Sandbox for browsers, unless
// INTROSPECTION=false), /healthz (process alive) and /readyz (database
// reachable and migrated). A GraphQL request passes CORS, then admission (its
// key and rate limit), then Apollo: parsing, validation, access and cost
// checks, execution.
import crypto from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer, type GraphQLRequestListener } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { DocumentNode } from 'graphql';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { pendingMigrations } from '../store/migrate.js';
import { applyFieldAccess, accessPlugin } from '../access/field-access.js';
import { contextFactory, type ApiContext, type ApiServices } from './context.js';
import { resolvers } from './resolvers/index.js';
import { depthLimitRule, costLimitPlugin, MAX_QUERY_TOKENS } from './query-limits.js';
import { apolloHandler, internalError, router, sendJson } from './http.js';
import { corsHandler } from './cors.js';
import { admission } from './admission.js';
import { RequestLimiter, rateKey } from './rate-limit.js';
import { warmThroughHttp, WARM_UP_HEADER } from './warm-up.js';
import { jitGateway } from './jit.js';
import { metricsPlugin } from '../metrics/graphql-plugin.js';
import type { KeyRing } from '../access/key-ring.js';
import { UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_S, withUnavailableCoded } from './errors.js';
import { isDatabaseUnavailable, type DatabaseHealth } from '../store/faults.js';
import { dashboardRoute, DASHBOARD_PATH } from '../dashboard/serve-dashboard.js';

/** Parsed documents kept (see bench/query-texts.ts for what one costs). */
export const MAX_DOCUMENTS = 1_000;

export const SCHEMA_PATH = path.resolve(import.meta.dirname, '../../schema.graphql');

export interface ApiServer {
  httpServer: http.Server;
  /** Listens on port (0 = any free port) and resolves with the URL of /graphql. */
  listen(port: number, host?: string): Promise<string>;
  /** How many compiled queries are kept now (src/api/jit.ts). */
  compiledQueries(): number;
  close(): Promise<void>;
}

/** The executable schema with its access rules applied (every field has a role, or this throws). */
export function buildSchema() {
  const schema = makeExecutableSchema<ApiContext>({ typeDefs: fs.readFileSync(SCHEMA_PATH, 'utf8'), resolvers });
  return { schema, roles: applyFieldAccess(schema) };
}

/** Logs our own faults (with the request's id) and tells the client only that id. One listener for every request. */
const faultsListener: GraphQLRequestListener<ApiContext> = {
  async didEncounterErrors({ errors, contextValue }) {
    for (const error of errors) {
      const code = error.extensions?.code;
      if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
        contextValue.log.error({ err: error.originalError ?? error, path: error.path }, 'resolver failed');
      }
    }
  },
  async willSendResponse({ response, contextValue }) {
    if (response.body.kind !== 'single') return;
    const { singleResult } = response.body;
    const { errors } = singleResult;
    if (!errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) return;
    singleResult.errors = errors.map((e) => (e.extensions?.code === 'INTERNAL_SERVER_ERROR' ? { ...internalError(contextValue.requestId), path: e.path } : e));
  },
};
const faultsPlugin = { requestDidStart: async () => faultsListener };

/** Whether a scrape's Authorization header is a backend or admin key known here. */
function mayScrape(keyRing: KeyRing, authorization: string | undefined): boolean {
  const identified = keyRing.identify(authorization);
  return identified.kind === 'caller' && identified.caller.authenticated && identified.caller.role !== 'frontend';
}

export async function createApiServer(
  services: ApiServices & {
    health: DatabaseHealth;
    /** false: only health and metrics (ROLE=trainer). */
    graphql: boolean;
    /** Settles once the serving statements are prepared (Recommender.warmUp), with users to warm the operations for. */
    warming?: Promise<string[]>;
    /** The key the server sends its warm-up requests with (src/api/warm-up.ts). */
    warmUpKey?: string;
  },
): Promise<ApiServer> {
  const { config, health } = services;
  const httpServer = http.createServer();
  const { schema, roles } = buildSchema();
  // Marks the server's own warm-up requests (src/api/warm-up.ts); a secret of this process, never logged.
  const warmUpMark = crypto.randomBytes(16).toString('hex');
  const gateway = jitGateway(schema, { mapErrors: (errors) => withUnavailableCoded(errors, health) });
  const apollo = new ApolloServer<ApiContext>({
    // Executes with graphql-jit (see jit.ts).
    gateway,
    introspection: config.introspection,
    // main.ts stops the whole service on SIGINT/SIGTERM, in order. Apollo's own handler (on by default outside
    // NODE_ENV=test) would stop Apollo alone, beside it, and then raise the signal again.
    stopOnTerminationSignals: false,
    // Apollo's own messages (e.g. an unexpected error processing a request) go to our structured log.
    logger: services.log,
    includeStacktraceInErrorResponses: false,
    // Bounds the parser's work (and its recursion) for any document; see query-limits.ts.
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    // Parsed and validated documents, by count as well as by Apollo's own size estimate (a document's JSON,
    // a fraction of what its AST keeps on the heap): distinct query texts cannot grow the heap past it.
    documentStore: new InMemoryLRUCache<DocumentNode>({ max: MAX_DOCUMENTS }),
    // Faults of ours never reach a client in their own words (the faults plugin adds the request id).
    formatError: (formatted) =>
      formatted.extensions?.code === 'INTERNAL_SERVER_ERROR'
        ? { message: 'Internal server error.', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } }
        : formatted,
    // Checked once per distinct query text (Apollo caches validation); cost is checked per request.
    validationRules: [depthLimitRule()],
    plugins: [
      accessPlugin(schema, roles),
      costLimitPlugin(),
      // On by default, it hooks every field of every response (we set no cache hints): a measured cost at 2,000 req/s.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      config.introspection ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }) : ApolloServerPluginLandingPageDisabled(),
      faultsPlugin,
      metricsPlugin(services.metrics, (headers) => headers?.get(WARM_UP_HEADER) === warmUpMark),
    ],
  });
  await apollo.start();

  let migrated = false;
  const limiter = new RequestLimiter(config.rateLimitPerMinute);
  // Ready once the statements are prepared and, after listen(), the hot operations have run once over HTTP.
  let warmed = !services.warming;
  const warmOver = (url: string) => {
    const { warming, warmUpKey } = services;
    if (!warming || warmed) return;
    void warming
      .then(async (users) => {
        if (!warmUpKey || !services.graphql) return;
        await warmThroughHttp(url, warmUpKey, users, warmUpMark);
        await limiter.forget(rateKey({ authenticated: true, role: 'admin', keyId: null, label: 'ADMIN_TOKEN' }, ''));
      })
      .catch((error) => services.log.warn({ err: error }, 'the warm-up requests failed; serving anyway'))
      .finally(() => (warmed = true));
  };
  const readyz = async (res: http.ServerResponse) => {
    if (!warmed) return sendJson(res, 503, { status: 'warming up' });
    try {
      await services.pool.query('SELECT 1');
      if (!migrated) {
        const pending = await pendingMigrations(services.pool);
        if (pending.length > 0) return sendJson(res, 503, { status: 'migrations pending', pending });
        migrated = true;
      }
      sendJson(res, 200, { status: 'ready' });
    } catch (error) {
      if (isDatabaseUnavailable(error)) health.failed(error);
      else services.log.warn({ err: error }, 'not ready: the readiness check failed');
      sendJson(res, 503, { status: 'database unreachable' });
    }
  };

  const cors = corsHandler(config.corsOrigins);
  const admit = admission({
    keyRing: services.keyRing,
    visitorTokens: services.visitorTokens,
    limiter,
    trustProxy: config.trustProxy,
    onRefusal: (code) => services.metrics.errors.inc({ code }),
  });
  const graphql = apolloHandler(apollo);
  const dashboard = dashboardRoute(config.dashboardDir);
  const contextFor = contextFactory(services);

  httpServer.on(
    'request',
    router(
      {
        '/graphql': async (req, res) => {
          const startedAt = performance.now();
          if (cors(req, res)) return;
          if (!services.graphql) return sendJson(res, 404, { error: 'This instance only trains (ROLE=trainer): GraphQL is served by the API instances.' });
          const caller = await admit(req, res);
          if (caller) await graphql(req, res, contextFor(caller, req.id, startedAt));
        },
        '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
        [`${DASHBOARD_PATH}/*`]: dashboard,
        '/readyz': (_req, res) => readyz(res),
        '/metrics': async (req, res) => {
          if (!config.metricsPublic && !mayScrape(services.keyRing, req.headers.authorization)) {
            res.setHeader('www-authenticate', 'Bearer');
            return sendJson(res, 401, { error: 'Metrics need a backend or admin key ("Authorization: Bearer <key>"), or METRICS_PUBLIC=true.' });
          }
          const text = await services.metrics.text();
          res.writeHead(200, { 'content-type': services.metrics.contentType });
          res.end(text);
        },
      },
      (error, req) => {
        if (isDatabaseUnavailable(error)) {
          health.failed(error);
          return {
            status: 503,
            body: { errors: [{ message: UNAVAILABLE_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }] },
            retryAfter: UNAVAILABLE_RETRY_AFTER_S,
          };
        }
        services.log.error({ err: error, requestId: req.id }, 'request failed');
        return undefined;
      },
    ),
  );

  return {
    httpServer,
    compiledQueries: () => gateway.compiledQueries(),
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address();
          const actualPort = typeof address === 'object' && address ? address.port : port;
          const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
          warmOver(`http://${local.includes(':') ? `[${local}]` : local}:${actualPort}/graphql`);
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
