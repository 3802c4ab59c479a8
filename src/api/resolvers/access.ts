// API keys and visitor tokens: a thin map onto src/access (see schema.graphql for who may call what).
import type { Resolvers, QueryResolvers, MutationResolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import { createApiKey, listApiKeys, revokeApiKey, ApiKeyInputError } from '../../access/api-keys.js';
import { badInput, check, notFound } from '../errors.js';
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, MIN_TTL_SECONDS } from '../../access/visitor-tokens.js';
import { idProblem } from '../../store/validation.js';

const Query: QueryResolvers<ApiContext> = {
  apiKeys: (_, __, ctx) => listApiKeys(ctx.catalog.prisma),
};

const Mutation: MutationResolvers<ApiContext> = {
  createApiKey: async (_, { name, role }, ctx) => {
    try {
      const { key, secret } = await createApiKey(ctx.catalog.prisma, { name, role: role.toLowerCase() });
      ctx.log.info({ keyId: key.id, role: key.role, by: ctx.caller.label }, 'API key created');
      return { apiKey: key, key: secret };
    } catch (error) {
      if (error instanceof ApiKeyInputError) throw badInput(error.message, 'name');
      throw error;
    }
  },
  createVisitorToken: (_, { userId, ttlSeconds }, ctx) => {
    check(idProblem(userId, 'userId'), 'userId');
    const ttl = ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS) {
      throw badInput(`ttlSeconds must be ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}, got ${ttl}`, 'ttlSeconds');
    }
    return ctx.visitorTokens.sign(userId, ttl);
  },
  revokeApiKey: async (_, { id }, ctx) => {
    if (!/^\d{1,9}$/.test(id)) throw badInput(`id must be a key number, got "${id}"`, 'id');
    const key = await revokeApiKey(ctx.catalog.prisma, Number(id));
    if (!key) throw notFound(`No API key with id "${id}".`);
    // Refused here from now on; other instances hear of it through api_keys_changed.
    await ctx.keyRing.reload();
    ctx.log.info({ keyId: key.id, by: ctx.caller.label }, 'API key revoked');
    return key;
  },
};

export const accessResolvers: Resolvers<ApiContext> = {
  Query,
  Mutation,
  ApiKey: {
    id: (key) => String(key.id),
    role: (key) => key.role.toUpperCase() as never,
  },
};
