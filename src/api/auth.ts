// Admin authentication: every mutation needs `Authorization: Bearer <ADMIN_TOKEN>`.
// Checked once per operation, before any resolver runs, so a refused mutation
// cannot have written anything. Reads are public.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiContext } from './context.js';
import { forbidden, unauthenticated } from './errors.js';

/**
 * ADMIN_TOKEN from the environment; otherwise a random token made at first
 * start and kept in <dataDir>/admin-token, never a fixed default.
 */
export function resolveAdminToken(configured: string | undefined, dataDir: string): { token: string; source: string } {
  if (configured) return { token: configured, source: 'ADMIN_TOKEN' };
  const file = path.join(dataDir, 'admin-token');
  if (fs.existsSync(file)) return { token: fs.readFileSync(file, 'utf8').trim(), source: file };
  fs.mkdirSync(dataDir, { recursive: true });
  const token = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: file };
}

export function tokensMatch(presented: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export function assertAdmin(context: ApiContext): void {
  if (context.bearerToken === null) {
    throw unauthenticated('This operation needs an admin token: send the header "Authorization: Bearer <ADMIN_TOKEN>".');
  }
  if (!tokensMatch(context.bearerToken, context.adminToken)) {
    throw forbidden('The admin token is not valid.');
  }
}

export const adminMutationsPlugin: ApolloServerPlugin<ApiContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue }) {
        if (operation?.operation === 'mutation') assertAdmin(contextValue);
      },
    };
  },
};
