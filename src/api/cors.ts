// CORS for browser frontends on other origins, with the `cors` package. Allowed
// origins get their preflights answered (204) and every answer carries
// Access-Control-Allow-Origin and Vary: Origin; other origins get no CORS
// headers (the browser then withholds the answer) and a 403 for a preflight.
// Apollo's CSRF prevention stays on behind this for everything else.
import type http from 'node:http';
import cors from 'cors';
import { sendJson } from './http.js';

export const CORS_METHODS = ['GET', 'POST', 'OPTIONS'];
export const CORS_HEADERS = ['content-type', 'authorization', 'apollo-require-preflight', 'x-request-id'];
/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Returns a handler that applies CORS to a request and answers it when it is a
 * preflight; it returns true when the request has been answered.
 */
export function corsHandler(origins: string[] | '*'): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const middleware = cors({
    // '*' reflects the request's origin rather than sending "*", so that Vary: Origin is always right.
    origin: origins === '*' ? true : origins,
    methods: CORS_METHODS,
    allowedHeaders: CORS_HEADERS,
    exposedHeaders: ['retry-after', 'x-request-id'],
    maxAge: PREFLIGHT_MAX_AGE_S,
    optionsSuccessStatus: 204,
  });
  const allowed = new Set(origins === '*' ? [] : origins);
  return (req, res) => {
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS') {
      // The middleware answers every preflight, allowed or not; a refused one is said plainly here.
      if (origin && origins !== '*' && !allowed.has(origin)) {
        sendJson(res, 403, { error: `Requests from ${origin} are not allowed: add the origin to CORS_ORIGINS.` });
        return true;
      }
      if (!origin) {
        res.writeHead(204, { allow: CORS_METHODS.join(', ') });
        res.end();
        return true;
      }
    }
    if (!origin) {
      // Not from a browser on another origin: no CORS headers to compute (a cache still learns that they vary).
      res.setHeader('vary', 'Origin');
      return false;
    }
    // With a fixed list of origins the middleware runs synchronously: either it answers or it calls next.
    middleware(req as never, res as never, () => {});
    return res.writableEnded;
  };
}
