// Apollo Server on node:http, without Express. The request path here is what
// every page view pays: Express with express.json() cost as much CPU per
// recommendations request as the GraphQL execution itself, for routing three
// paths and parsing a JSON body (docs/benchmarks.md). What remains is Apollo's
// own HTTP entry point (executeHTTPGraphQLRequest: landing page, CSRF
// prevention, GET and POST), raw-body for reading the body under a limit (what
// express.json uses), and a small router.
import crypto from 'node:crypto';
import type http from 'node:http';
import getRawBody from 'raw-body';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/** The largest request body accepted (a 1,000-user batch query with variables is ~30 kB). */
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

export type Route = (req: RequestWithId, res: http.ServerResponse) => Promise<void> | void;

/** A request with the id the router gave it (also sent back as the x-request-id header). */
export type RequestWithId = http.IncomingMessage & { id: string };

const CLIENT_REQUEST_ID = /^[\w.:-]{1,64}$/;

// Request ids: this process's random prefix and a counter, unique across instances and cheaper than a UUID each.
const REQUEST_ID_PREFIX = crypto.randomBytes(6).toString('base64url');
let requestCounter = 0;

/** The client's own x-request-id when it is a sane token (to follow a request across services), else a new one. */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : `${REQUEST_ID_PREFIX}-${(++requestCounter).toString(36)}`;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** What a client is told of a fault of ours: the request id to quote, never the detail (that is in the log). */
export function internalError(requestId: string) {
  return {
    message: `Internal server error. The log has the details under request id ${requestId}.`,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  };
}

/** A transport-level refusal in the shape GraphQL clients read: `errors[0].extensions.code`. */
function sendRequestError(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

/** The path and the query string (with its "?") of a request. */
function splitUrl(req: http.IncomingMessage): { path: string; search: string } {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? { path: url, search: '' } : { path: url.slice(0, query), search: url.slice(query) };
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Reads and parses a JSON body; answers the request itself (and returns undefined) when it cannot. */
async function readJsonBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<{ body: unknown } | undefined> {
  // Apollo answers a POST without a JSON body with its own 400 (and CSRF prevention relies on the content type).
  if (!JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '')) return { body: undefined };
  let text: string;
  try {
    text = await getRawBody(req, { length: req.headers['content-length'], limit: BODY_LIMIT_BYTES, encoding: 'utf8' });
  } catch (error) {
    const status = (error as { status?: number }).status ?? 400;
    const message =
      status === 413
        ? `The request body is larger than ${BODY_LIMIT_BYTES / 1024 / 1024} MB.`
        : `The request body could not be read: ${(error as Error).message}.`;
    res.setHeader('connection', 'close'); // the rest of an oversized body is not read
    sendRequestError(res, status, message);
    return undefined;
  }
  try {
    return { body: JSON.parse(text) };
  } catch {
    sendRequestError(res, 400, 'The request body is not valid JSON.');
    return undefined;
  }
}

/** Serves one Apollo Server over node:http, as its Express integration would, with the context given. */
export function apolloHandler<Context extends BaseContext>(
  apollo: ApolloServer<Context>,
): (req: http.IncomingMessage, res: http.ServerResponse, context: Context) => Promise<void> {
  return async (req, res, context) => {
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJsonBody(req, res);
      if (!read) return;
      body = read.body;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method?.toUpperCase() ?? 'GET', headers, search: splitUrl(req).search, body },
      context: async () => context,
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/** What to answer for a route that threw, when not the generic 500 (e.g. a 503 while the database is down). */
export type ErrorAnswer = { status: number; body: unknown; retryAfter?: number } | undefined;

/** The route of a key ending in `/*` that `path` is under (`/dashboard/*` takes /dashboard and below). */
function prefixRoute(routes: Record<string, Route>, path: string): Route | undefined {
  for (const [key, route] of Object.entries(routes)) {
    if (key.endsWith('/*') && (path === key.slice(0, -2) || path.startsWith(key.slice(0, -1)))) return route;
  }
  return undefined;
}

/**
 * A request listener dispatching on the path alone (`/graphql` and `/graphql/`
 * are the same); anything else is a 404 that says where GraphQL is. A route
 * that throws gets a 500 and a log line, never a crash.
 */
export function router(routes: Record<string, Route>, onError: (error: unknown, req: RequestWithId) => ErrorAnswer): http.RequestListener {
  return (incoming, res) => {
    const req = incoming as RequestWithId;
    req.id = requestIdOf(req);
    res.setHeader('x-request-id', req.id);
    let { path } = splitUrl(req);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const route = Object.hasOwn(routes, path) ? routes[path] : prefixRoute(routes, path);
    if (!route) {
      sendJson(res, 404, { error: `Nothing at ${path}: GraphQL is served at /graphql.` });
      return;
    }
    const failed = (error: unknown) => {
      const answer = onError(error, req);
      if (!res.headersSent) {
        if (answer?.retryAfter) res.setHeader('retry-after', String(answer.retryAfter));
        sendJson(res, answer?.status ?? 500, answer?.body ?? { errors: [internalError(req.id)] });
      } else res.destroy();
    };
    try {
      route(req, res)?.catch(failed);
    } catch (error) {
      failed(error);
    }
  };
}
