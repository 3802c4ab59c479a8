// The bootstrap admin key: ADMIN_TOKEN from the environment, otherwise a random
// key made at first start and kept in <dataDir>/admin-token (mode 600). It is
// never logged: the log says where it is, not what it is.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Shorter tokens are refused at start: a guessable admin key is worse than none. */
export const MIN_TOKEN_LENGTH = 16;

export class AdminTokenError extends Error {
  override name = 'AdminTokenError';
}

export function resolveAdminToken(configured: string | undefined, dataDir: string): { token: string; source: string } {
  if (configured !== undefined) {
    checkToken(configured, 'ADMIN_TOKEN', 'Set ADMIN_TOKEN to a longer random string (e.g. `openssl rand -base64 24`), or unset it to have one generated.');
    return { token: configured, source: 'the ADMIN_TOKEN environment variable' };
  }
  const file = path.join(dataDir, 'admin-token');
  if (fs.existsSync(file)) {
    const token = fs.readFileSync(file, 'utf8').trim();
    checkToken(token, `The admin token file ${file}`, `Delete ${file} to have a new token generated at the next start, or set ADMIN_TOKEN.`);
    return { token, source: file };
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const token = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: file };
}

function checkToken(token: string, what: string, fix: string): void {
  if (token.length === 0) throw new AdminTokenError(`${what} is empty. ${fix}`);
  if (token.length < MIN_TOKEN_LENGTH) throw new AdminTokenError(`${what} is ${token.length} characters long; at least ${MIN_TOKEN_LENGTH} are needed. ${fix}`);
  if (/\s/.test(token)) throw new AdminTokenError(`${what} contains whitespace, which an Authorization header cannot carry. ${fix}`);
}
