// Apollo plugin: every GraphQL request counted by operation and outcome, with its latency, and its errors by code.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { ServiceMetrics } from './service-metrics.js';

/** `ignore`: requests not to count (the server's own warm-up requests, src/api/warm-up.ts). */
export function metricsPlugin<Context extends { startedAt: number }>(
  metrics: ServiceMetrics,
  ignore: (headers: { get(name: string): string | undefined } | undefined) => boolean = () => false,
): ApolloServerPlugin<Context> {
  // One listener for every request: nothing is allocated per request but the labels.
  const listener: GraphQLRequestListener<Context> = {
    async didEncounterErrors({ errors }) {
      for (const error of errors) metrics.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
    },
    async willSendResponse({ contextValue, operationName, response }) {
      const failed = response.body.kind === 'single' && response.body.singleResult.errors !== undefined;
      const labels = { operation: metrics.operationLabel(operationName), outcome: failed ? 'error' : 'ok' };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, (performance.now() - contextValue.startedAt) / 1000);
    },
  };
  return { requestDidStart: async ({ request }) => (ignore(request.http?.headers) ? undefined : listener) };
}
