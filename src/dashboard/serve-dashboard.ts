// The admin dashboard's web app (src/dashboard/web), built by `npm run build` into dist/dashboard-app and served
// here by the service itself: no internet, no CDN. Everything it shows comes from /graphql with the admin key
// the user signs in with; these files are public and hold no data.
import fs from 'node:fs';
import path from 'node:path';
import sirv from 'sirv';
import { sendJson, type Route } from '../api/http.js';

export const DASHBOARD_PATH = '/dashboard';

// The page may only talk to this origin, and nobody may frame it.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** `dir`: the built app (AppConfig.dashboardDir). */
export function dashboardRoute(dir: string): Route {
  const built = fs.existsSync(path.join(dir, 'index.html'));
  // Hashed asset names: cached for good; index.html is revalidated so that a new build is picked up.
  const files = built
    ? sirv(dir, {
        etag: true,
        brotli: true,
        gzip: true,
        setHeaders: (res, pathname) => {
          for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
          res.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      })
    : null;
  return (req, res) => {
    if (!files) {
      return sendJson(res, 503, { error: 'The dashboard is not built: run `npm run build` (npm start does), then restart the service.' });
    }
    const url = req.url ?? DASHBOARD_PATH;
    if (url === DASHBOARD_PATH || url.startsWith(`${DASHBOARD_PATH}?`)) {
      res.writeHead(308, { location: `${DASHBOARD_PATH}/` });
      return void res.end();
    }
    // sirv serves paths relative to the app's folder.
    req.url = url.slice(DASHBOARD_PATH.length) || '/';
    files(req, res, () => {
      // Not a file: the app's own page, whose script shows the view the hash names.
      req.url = '/';
      files(req, res, () => sendJson(res, 404, { error: 'Not found.' }));
    });
  };
}
