/**
 * The last step before a service says it is ready: the hot operations, sent to itself over HTTP twice
 * each, so that the first shop requests find the parser, validation, compiled queries, resolvers and
 * the products cache warm rather than paying for them.
 */
const OPERATIONS = [
  { query: 'query($u: ID!) { recommendations(userId: $u, first: 10) { score rank reason product { id name category } } }', batch: false },
  {
    query: 'query($u: ID!) { unratedProductScores(userId: $u, first: 20) { edges { cursor node { score product { id name } } } pageInfo { hasNextPage } } }',
    batch: false,
  },
  {
    query:
      'query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 10) { user { id } recommendations { rank score reason product { id name category } } } }',
    batch: true,
  },
];

/** The header that marks the warm-up's requests (with a per-process secret), so that the metrics leave them out. */
export const WARM_UP_HEADER = 'x-recsys-warm-up';

/** Sends each operation twice to `url` with `key`, for the model's `users` (none: the popular ranking's path). */
export async function warmThroughHttp(url: string, key: string, users: string[], mark: string): Promise<void> {
  const someone = users[0] ?? 'warm-up';
  const batch = users.length > 0 ? users.slice(0, 1000) : [someone];
  for (const { query, batch: isBatch } of OPERATIONS) {
    for (let k = 0; k < 2; k++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, [WARM_UP_HEADER]: mark },
        body: JSON.stringify({ query, variables: isBatch ? { ids: batch } : { u: someone } }),
      });
      await response.arrayBuffer();
    }
  }
}
