// What a shop asks of one list when it is served: products to leave out (categories, ids, a price range),
// how many of one category at most (diversity), and whether to favour what is trending. Applied to each
// list's candidates at serving time (apply-rules.ts), so no rule needs a retraining.
import type { Product } from '../store/catalog.js';
import { idProblem, textProblem, MAX_CATEGORY_LENGTH } from '../store/validation.js';

export interface ListRules {
  excludeCategories: string[];
  excludeProductIds: string[];
  minPrice: number | null;
  maxPrice: number | null;
  maxPerCategory: number | null;
  trending: boolean;
}

export const NO_RULES: Readonly<ListRules> = Object.freeze({
  excludeCategories: [],
  excludeProductIds: [],
  minPrice: null,
  maxPrice: null,
  maxPerCategory: null,
  trending: false,
});

/** Up to this many ids or categories in one exclusion list. */
export const MAX_EXCLUSIONS = 1000;

export type ListRulesInput = Partial<{ [K in keyof ListRules]: ListRules[K] | null | undefined }>;

/** The rules asked for, or why they are refused (naming the field). */
export function parseListRules(input: ListRulesInput | null | undefined, what = 'rules'): ListRules | string {
  if (!input) return NO_RULES;
  const excludeCategories = input.excludeCategories ?? [];
  const excludeProductIds = input.excludeProductIds ?? [];
  for (const [name, list] of [
    ['excludeCategories', excludeCategories],
    ['excludeProductIds', excludeProductIds],
  ] as const) {
    if (list.length > MAX_EXCLUSIONS) return `${what}.${name} takes at most ${MAX_EXCLUSIONS} entries, got ${list.length}`;
  }
  for (const [k, category] of excludeCategories.entries()) {
    const problem = textProblem(category, `${what}.excludeCategories[${k}]`, MAX_CATEGORY_LENGTH, true);
    if (problem) return problem;
  }
  for (const [k, id] of excludeProductIds.entries()) {
    const problem = idProblem(id, `${what}.excludeProductIds[${k}]`);
    if (problem) return problem;
  }
  const minPrice = input.minPrice ?? null;
  const maxPrice = input.maxPrice ?? null;
  for (const [name, price] of [
    ['minPrice', minPrice],
    ['maxPrice', maxPrice],
  ] as const) {
    if (price !== null && !(Number.isFinite(price) && price >= 0)) return `${what}.${name} must be a number ≥ 0, got ${price}`;
  }
  if (minPrice !== null && maxPrice !== null && minPrice > maxPrice) return `${what}.minPrice (${minPrice}) must not exceed ${what}.maxPrice (${maxPrice})`;
  const maxPerCategory = input.maxPerCategory ?? null;
  if (maxPerCategory !== null && !(Number.isInteger(maxPerCategory) && maxPerCategory >= 1))
    return `${what}.maxPerCategory must be a whole number ≥ 1, got ${maxPerCategory}`;
  return { excludeCategories, excludeProductIds, minPrice, maxPrice, maxPerCategory, trending: input.trending ?? false };
}

export function hasRules(rules: ListRules): boolean {
  return (
    rules.excludeCategories.length > 0 ||
    rules.excludeProductIds.length > 0 ||
    rules.minPrice !== null ||
    rules.maxPrice !== null ||
    rules.maxPerCategory !== null ||
    rules.trending
  );
}

/** The rules' exclusion lists as sets, made once per request. */
export type Exclusions = { categories: Set<string>; ids: Set<string> };
export const exclusionsOf = (rules: ListRules): Exclusions => ({ categories: new Set(rules.excludeCategories), ids: new Set(rules.excludeProductIds) });

/** Whether the rules' filters let `product` into a list (a price range leaves out products without a price). */
export function passesFilters(product: Product, rules: ListRules, excluded: Exclusions): boolean {
  if (product.category !== null && excluded.categories.has(product.category)) return false;
  if (excluded.ids.has(product.externalId)) return false;
  if (rules.minPrice !== null && !(product.price !== null && product.price >= rules.minPrice)) return false;
  if (rules.maxPrice !== null && !(product.price !== null && product.price <= rules.maxPrice)) return false;
  return true;
}

/** A stable text for the rules, for grouping requests that ask the same (loaders). */
export function rulesKey(rules: ListRules): string {
  return hasRules(rules) ? JSON.stringify(rules) : '';
}
