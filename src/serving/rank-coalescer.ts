// Rankings that different API requests ask for at the same moment share one
// statement. Under load the event loop reads several requests in one turn; each
// asking for one user would send its own statement, and per user a statement of
// one costs a few times what one shared by four to eight does (docs/benchmarks.md). Requests are gathered until the event loop has run everything
// it read in this turn (setImmediate), so a request that comes alone waits for
// nothing but that turn's end.
import DataLoader from 'dataloader';
import type { RankRequest } from './recommender.js';
import type { RankedProducts } from './types.js';

interface RankKey {
  externalId: string;
  /** Requests with the same shape (limit, category, cursor, model, matrix, trending, anyone) can share a statement. */
  shape: string;
  request: RankRequest;
}

export class RankCoalescer {
  private readonly loader: DataLoader<RankKey, RankedProducts | null>;

  constructor(
    rank: (request: RankRequest) => Promise<Map<string, RankedProducts>>,
    /** Told how many requests each shared ranking served (metrics). */
    onShared: (requests: number) => void = () => {},
  ) {
    this.loader = new DataLoader<RankKey, RankedProducts | null>(
      async (keys) => {
        const groups = new Map<string, RankKey[]>();
        for (const key of keys) {
          const group = groups.get(key.shape);
          if (group) group.push(key);
          else groups.set(key.shape, [key]);
        }
        const results = new Map<RankKey, RankedProducts | null | Error>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            onShared(group.length);
            try {
              const ranked = await rank({ ...group[0].request, externalIds: [...new Set(group.map((k) => k.externalId))] });
              for (const key of group) results.set(key, ranked.get(key.externalId) ?? null);
            } catch (error) {
              // Only the requests of this statement fail.
              for (const key of group) results.set(key, error as Error);
            }
          }),
        );
        return keys.map((key) => results.get(key)!);
      },
      // No cache: every request reads the matrix as it is now. Gathered until the end of this turn of the event loop.
      { cache: false, batchScheduleFn: (run) => setImmediate(run) },
    );
  }

  /** As `rank(request)`, sharing its statement with the requests that come in the same turn. */
  async rank(request: RankRequest): Promise<Map<string, RankedProducts>> {
    // Requests pinned to different models (around an activation) never share a statement.
    const shape = JSON.stringify([
      request.limit,
      request.category,
      request.after,
      request.model?.runId ?? null,
      request.matrix ?? null,
      request.trending ?? false,
      request.anyone ?? false,
    ]);
    const ranked = await this.loader.loadMany(request.externalIds.map((externalId) => ({ externalId, shape, request })));
    const result = new Map<string, RankedProducts>();
    for (const entry of ranked) {
      if (entry instanceof Error) throw entry;
      if (entry) result.set(entry.externalId, entry);
    }
    return result;
  }
}
