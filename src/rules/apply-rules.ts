// The rules and promotions applied to recommendation lists as they are served: each user's list is
// fetched deeper than asked (its candidates), filtered, re-scored (promotions multiply, trending adds),
// re-ordered, held to `maxPerCategory` and cut to `first`; fetched deeper again while a list falls
// short and the user has more products. (In the serving statement itself, the filters made PostgreSQL
// plan it far worse.)
import type { RankRequest, Recommender } from '../serving/recommender.js';
import type { RankedProducts, ScoredProduct, UnratedScore } from '../serving/types.js';
import type { Promotions } from './promotions.js';
import type { TrendingRanking } from './trending.js';
import { exclusionsOf, hasRules, passesFilters, type Exclusions, type ListRules } from './list-rules.js';

/**
 * Candidates a user for a list of `first`: deep enough for promotions and trending to lift products from
 * below (`lifting`), else a few spare for what filters leave out (deeper again when they leave a list short).
 */
export const candidatesFor = (first: number, lifting = true) => (lifting ? Math.max(2 * first, first + 10) : first + Math.max(3, Math.ceil(first / 2)));
/** Above any rating: the order of a trending list's hot products, ahead of its popular tail. */
const TRENDING_HEAD = 1e6;
/** A list is never fetched deeper than this to fill it. */
const MAX_CANDIDATES = 5_000;

export interface RuleInputs {
  rules: ListRules;
  /** Promoted product ids → factor. */
  factors: Map<number, number>;
  /** Product id → heat in (0, 1], when the list asks for trending. */
  heat: Map<number, number> | null;
  /** Score added for a heat of 1. */
  trendingWeight: number;
  limit: number;
  excluded: Exclusions;
}

/** One user's candidates, best first, after the rules: at most `limit`. */
export function applyRules(items: readonly ScoredProduct[], inputs: RuleInputs): ScoredProduct[] {
  const { rules, factors, heat, trendingWeight, limit, excluded } = inputs;
  const scored: { item: ScoredProduct; order: number }[] = [];
  for (const item of items) {
    if (!passesFilters(item.product, rules, excluded)) continue;
    const factor = factors.get(item.product.id) ?? 1;
    const hot = heat?.get(item.product.id) ?? 0;
    // Heat lifts a personalized list's candidates; a trending list keeps its hot products first, hottest first.
    let order = item.reason === 'TRENDING' && hot > 0 ? TRENDING_HEAD + hot : item.rankScore;
    if (item.reason === 'PERSONALIZED') order += trendingWeight * hot;
    order *= factor;
    scored.push({ item: factors.has(item.product.id) ? { ...item, boosted: true } : item, order });
  }
  scored.sort((a, b) => b.order - a.order || b.item.product.id - a.item.product.id);
  const perCategory = new Map<string, number>();
  const out: ScoredProduct[] = [];
  for (const { item } of scored) {
    if (out.length >= limit) break;
    const category = item.product.category;
    if (rules.maxPerCategory !== null && category !== null) {
      const n = perCategory.get(category) ?? 0;
      if (n >= rules.maxPerCategory) continue;
      perCategory.set(category, n + 1);
    }
    out.push(item);
  }
  return out;
}

export class RuleEngine {
  constructor(
    private readonly promotions: Promotions,
    private readonly trending: TrendingRanking,
    private readonly trendingWeight: number,
  ) {}

  /** Recommender.rank with the rules and the promotions in force applied (the plain ranking when there are none). */
  async rank(recommender: Recommender, request: RankRequest, rules: ListRules): Promise<Map<string, RankedProducts>> {
    const factors = await this.promotions.factors();
    if (!hasRules(rules) && factors.size === 0) return recommender.rank(request);
    const heat = rules.trending ? (await this.trending.get()).heat : null;
    const inputs: RuleInputs = { rules, factors, heat, trendingWeight: this.trendingWeight, limit: request.limit, excluded: exclusionsOf(rules) };
    const done = new Map<string, RankedProducts>();
    let pending = [...new Set(request.externalIds)];
    for (let depth = candidatesFor(request.limit, factors.size > 0 || rules.trending); pending.length > 0; depth *= 4) {
      const ranked = await recommender.rank({ ...request, externalIds: pending, limit: depth, trending: rules.trending });
      // The promoted products are candidates of every personalized list they fit, not only of those that fetched them.
      const promoted =
        factors.size > 0 ? await recommender.candidatesOf(ranked.values(), [...factors.keys()], request.category, request.model, request.matrix) : null;
      const short: string[] = [];
      for (const [id, entry] of ranked) {
        const items = applyRules(withCandidates(entry.items, promoted?.get(entry.userId)), inputs);
        // Short of `first` while the user had more products than were fetched: look deeper.
        if (items.length < request.limit && entry.items.length >= depth && depth < MAX_CANDIDATES) short.push(id);
        else done.set(id, { ...entry, items });
      }
      pending = short;
    }
    return done;
  }
}

/** `items` and those of `extra` they do not have. */
function withCandidates(items: readonly ScoredProduct[], extra: readonly ScoredProduct[] | undefined): readonly ScoredProduct[] {
  if (!extra?.length) return items;
  const have = new Set(items.map((item) => item.product.id));
  const added = extra.filter((item) => !have.has(item.product.id));
  return added.length ? [...items, ...added] : items;
}

/**
 * A page of unratedProductScores with the rules' filters: read deeper while filtered-out products leave
 * it short (the filters only remove, so the order and the cursors stay the model's).
 */
export async function unratedPageWithFilters(
  recommender: Recommender,
  request: Parameters<Recommender['unratedPage']>[0],
  rules: ListRules,
): Promise<{ ranked: RankedProducts; items: UnratedScore[] } | null> {
  if (!hasRules(rules)) return recommender.unratedPage(request);
  const excluded = exclusionsOf(rules);
  for (let depth = candidatesFor(request.limit, false); ; depth *= 4) {
    const page = await recommender.unratedPage({ ...request, limit: depth });
    if (!page) return null;
    const items = page.items.filter((item) => passesFilters(item.product, rules, excluded));
    if (items.length >= request.limit || page.items.length < depth || depth >= MAX_CANDIDATES)
      return { ranked: page.ranked, items: items.slice(0, request.limit) };
  }
}
