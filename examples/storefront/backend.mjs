// The shop's side of the storefront example: the one thing a browser may not do itself, asking the
// recommendation API for a visitor token with the shop's backend key (which never reaches the page).
// Plain Node, no dependencies: `RECSYS_URL=http://localhost:4000/graphql RECSYS_BACKEND_KEY=… node backend.mjs`.
import http from 'node:http';

const api = process.env.RECSYS_URL ?? 'http://localhost:4000/graphql';
const key = process.env.RECSYS_BACKEND_KEY;
const port = Number(process.env.PORT ?? 8081);
// The storefront's origin, allowed to call this script from the browser.
const allowOrigin = process.env.STOREFRONT_ORIGIN ?? 'http://localhost:8080';
if (!key) {
  console.error('Set RECSYS_BACKEND_KEY to a backend key: npm run cli -- keys create --role backend --name storefront');
  process.exit(1);
}

const server = http.createServer(async (req, res) => {
  res.setHeader('access-control-allow-origin', allowOrigin);
  res.setHeader('access-control-allow-headers', 'content-type');
  if (req.method === 'OPTIONS') return res.writeHead(204).end();
  const url = new URL(req.url ?? '/', 'http://backend');
  // A real shop would take the visitor id from its own session cookie; here the page says which it is.
  const visitorId = url.searchParams.get('visitor');
  if (req.method !== 'POST' || url.pathname !== '/visitor-token' || !visitorId) return res.writeHead(404).end();
  const response = await fetch(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: 'mutation($u: ID!) { createVisitorToken(userId: $u, ttlSeconds: 3600) }', variables: { u: visitorId } }),
  });
  const body = await response.json();
  if (!body.data?.createVisitorToken) return res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify(body.errors ?? []));
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: body.data.createVisitorToken }));
});
server.listen(port, () => console.log(`storefront backend on http://localhost:${server.address().port}`));
