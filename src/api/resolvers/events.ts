// recordEvents: a thin map onto src/events/event-log.ts.
import type { Resolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import { MAX_EVENTS_PER_CALL, type EventKind } from '../../events/event-log.js';
import { eventProblem, idProblem } from '../../store/validation.js';
import { badInput, check, checkScope, forbidden, notFound } from '../errors.js';
import { VISITOR_EVENT_TYPES } from '../../access/visitor-tokens.js';

const listed = (ids: string[]) =>
  ids
    .slice(0, 10)
    .map((id) => JSON.stringify(id))
    .join(', ') + (ids.length > 10 ? ` and ${ids.length - 10} more` : '');

export const eventResolvers: Resolvers<ApiContext> = {
  Mutation: {
    recordEvents: async (_, { events }, ctx) => {
      if (events.length > MAX_EVENTS_PER_CALL) {
        throw badInput(
          `recordEvents takes at most ${MAX_EVENTS_PER_CALL} events a call, got ${events.length}; send several calls or use \`npm run cli -- import events\``,
          'events',
        );
      }
      const now = Date.now();
      const records = events.map((e) => ({ ...e, type: e.type.toLowerCase() as EventKind, at: e.at == null ? null : new Date(e.at) }));
      records.forEach((event, k) => {
        check(idProblem(event.userId, `events[${k}].userId`), 'events');
        check(idProblem(event.productId, `events[${k}].productId`), 'events');
        if (event.eventId != null) check(idProblem(event.eventId, `events[${k}].eventId`), 'events');
        if (event.recommendationId != null && !/^[A-Za-z0-9_-]{1,32}$/.test(event.recommendationId)) {
          throw badInput(`events[${k}].recommendationId is not one this API gave (Recommendation.recommendationId)`, 'events');
        }
        check(eventProblem(event, `events[${k}]`, now), 'events');
      });
      if (ctx.caller.visitor !== undefined) {
        checkScope(
          ctx.caller,
          records.map((e) => e.userId),
        );
        const kept = records.find((e) => !VISITOR_EVENT_TYPES.has(e.type));
        if (kept) throw forbidden(`A visitor token records views, carts and wishlists; a ${kept.type} is the shop's backend's to record.`);
      }
      const outcome = await ctx.events.record(records);
      if ('recorded' in outcome) return outcome.recorded;
      throw notFound(`Nothing was recorded: no product with id ${listed(outcome.missingProducts)}. Create them first (upsertProduct, upsertProducts).`);
    },
  },
};
