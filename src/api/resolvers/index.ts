import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Resolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import { catalogResolvers } from './catalog.js';
import { trainingResolvers } from './training.js';
import { servingResolvers } from './serving.js';
import { accessResolvers } from './access.js';
import { eventResolvers } from './events.js';
import { promotionResolvers } from './promotions.js';
import { monitoringResolvers } from './monitoring.js';
import { tuningResolvers } from './tuning.js';
import { attributionResolvers } from './attribution.js';
import { experimentResolvers } from './experiments.js';

/** Merges the resolver maps of each part of the schema. */
function merge(...maps: Resolvers<ApiContext>[]): Resolvers<ApiContext> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) merged[type] = { ...merged[type], ...(fields as object) };
  }
  return merged as Resolvers<ApiContext>;
}

export const resolvers: Resolvers<ApiContext> = merge(
  { JSON: JSONResolver, DateTime: DateTimeResolver },
  catalogResolvers,
  trainingResolvers,
  servingResolvers,
  accessResolvers,
  eventResolvers,
  promotionResolvers,
  monitoringResolvers,
  tuningResolvers,
  attributionResolvers,
  experimentResolvers,
);
