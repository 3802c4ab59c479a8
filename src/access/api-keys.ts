// API keys in PostgreSQL (table api_keys): made, listed and revoked here, by the
// CLI (`keys create|list|revoke`) and the admin mutations alike. A key is 32
// random bytes; only its SHA-256 is stored, which is enough for a secret of that
// entropy (no password hashing needed: nothing to guess).
import crypto from 'node:crypto';
import type { PrismaClient } from '../store/db.js';
import type { ApiKey } from '../store/generated/prisma/client.js';
import { textProblem } from '../store/validation.js';
import { ROLES, isRole, type Role } from './roles.js';

export type { ApiKey };

/** Keys start with this, so that a leaked one is easy to recognise (and to search for). */
export const KEY_PREFIX = 'rk_';
/** Characters of a key shown in lists, enough to tell keys apart. */
const SHOWN_PREFIX_LENGTH = 10;
export const MAX_KEY_NAME_LENGTH = 128;

export const hashKey = (secret: string): string => crypto.createHash('sha256').update(secret).digest('hex');

export class ApiKeyInputError extends Error {
  override name = 'ApiKeyInputError';
}

/** Makes a key; the secret is returned here once and never stored. */
export async function createApiKey(prisma: PrismaClient, input: { name: string; role: string }): Promise<{ key: ApiKey; secret: string }> {
  const problem = textProblem(input.name, 'name', MAX_KEY_NAME_LENGTH, true);
  if (problem) throw new ApiKeyInputError(problem);
  if (!isRole(input.role)) throw new ApiKeyInputError(`role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(input.role)}`);
  const secret = KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
  const key = await prisma.apiKey.create({
    data: { name: input.name, role: input.role as Role, hash: hashKey(secret), prefix: secret.slice(0, SHOWN_PREFIX_LENGTH) },
  });
  return { key, secret };
}

export function listApiKeys(prisma: PrismaClient): Promise<ApiKey[]> {
  return prisma.apiKey.findMany({ orderBy: { id: 'asc' } });
}

/** Revokes a key (from now on it is refused everywhere); null when there is no such key. */
export async function revokeApiKey(prisma: PrismaClient, id: number): Promise<ApiKey | null> {
  const key = await prisma.apiKey.findUnique({ where: { id } });
  if (!key) return null;
  if (key.revokedAt) return key;
  return prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
}
