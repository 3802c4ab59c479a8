// Who may send a GraphQL request at all, decided before its body is read: the
// caller's key (src/access/key-ring.ts) and its rate limit (rate-limit.ts). A
// request refused here is answered 401 or 429 in the shape GraphQL clients read.
import type http from 'node:http';
import { INVALID_KEY_MESSAGE, type KeyRing } from '../access/key-ring.js';
import { VISITOR_TOKEN_PREFIX, type VisitorTokens } from '../access/visitor-tokens.js';
import type { Caller } from '../access/roles.js';
import { sendJson } from './http.js';
import { type RequestLimiter, clientAddress, rateKey } from './rate-limit.js';

export type Admission = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<Caller | null>;

function refuse(res: http.ServerResponse, message: string): null {
  res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, 401, { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
  return null;
}

export function admission(options: {
  keyRing: KeyRing;
  visitorTokens: VisitorTokens;
  limiter: RequestLimiter;
  trustProxy: boolean;
  onRefusal?: (code: string) => void;
}): Admission {
  const { keyRing, visitorTokens, limiter, trustProxy, onRefusal = () => {} } = options;
  const unauthenticated = (res: http.ServerResponse, message: string) => {
    onRefusal('UNAUTHENTICATED');
    return refuse(res, message);
  };
  const admit = async (client: string, res: http.ServerResponse) => {
    if (await limiter.admit(client, res)) return true;
    onRefusal('RATE_LIMITED');
    return false;
  };
  return async (req, res) => {
    const address = clientAddress(req, trustProxy);
    const authorization = req.headers.authorization;
    if (authorization?.startsWith(`Bearer ${VISITOR_TOKEN_PREFIX}`)) {
      const verified = visitorTokens.verify(authorization.slice('Bearer '.length));
      if ('refused' in verified) return (await admit(`ip:${address}`, res)) ? unauthenticated(res, verified.refused) : null;
      const caller: Caller = { role: 'frontend', authenticated: true, keyId: null, label: 'visitor token', visitor: verified.userId };
      return (await admit(rateKey(caller, address), res)) ? caller : null;
    }
    const identified = keyRing.identify(authorization);
    let caller: Caller;
    if (identified.kind === 'refused') return unauthenticated(res, identified.message);
    if (identified.kind === 'unknown') {
      // Unknown keys cost a statement: they count against the address first, so guessing is limited too.
      if (!(await admit(`ip:${address}`, res))) return null;
      const found = await keyRing.lookup(identified.hash);
      if (!found) return unauthenticated(res, INVALID_KEY_MESSAGE);
      caller = found;
    } else {
      caller = identified.caller;
    }
    return (await admit(rateKey(caller, address), res)) ? caller : null;
  };
}
