// Products by internal id, kept in the serving process and checked against
// the row version PostgreSQL returns with every recommendation. The serving
// statements then return (score, product id, version) per row instead of the
// product's eight columns: no jsonb, dates or strings to parse on the client,
// and less for PostgreSQL to send (docs/benchmarks.md). A product changed since
// it was cached has another version, so it is read again in the same request:
// nothing stale is ever served.
import type pg from 'pg';
import type { Product } from '../store/catalog.js';
import { PRODUCTS_WITH_VERSION_BY_IDS_SQL } from '../store/sql.js';

/**
 * Products kept at most; past that the oldest entries make room (a catalog
 * larger than this still works, with a second statement for the misses).
 */
const DEFAULT_CAPACITY = 100_000;

/** A product's id and its row version (`xmin`, see PRODUCTS_WITH_VERSION_BY_IDS_SQL), as a statement returns them. */
export interface ProductRef {
  id: number;
  version: string;
}

export class ProductCache {
  private readonly entries = new Map<number, { version: string; product: Product }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /**
   * The products these refs name, at their versions: from memory when cached
   * at that version, otherwise read in one statement. A product deleted
   * meanwhile is missing from the result.
   */
  async resolve(refs: Iterable<ProductRef>): Promise<Map<number, Product>> {
    const found = new Map<number, Product>();
    const missing = new Set<number>();
    for (const { id, version } of refs) {
      if (found.has(id)) continue;
      const entry = this.entries.get(id);
      if (entry?.version === version) found.set(id, entry.product);
      else missing.add(id);
    }
    if (missing.size === 0) return found;
    const { rows } = await this.pool.query<Product & { version: string }>({
      name: 'products-with-version-by-ids',
      text: PRODUCTS_WITH_VERSION_BY_IDS_SQL,
      values: [[...missing]],
    });
    for (const { version, ...product } of rows) {
      this.put(product, version);
      found.set(product.id, product);
    }
    return found;
  }

  get size(): number {
    return this.entries.size;
  }

  private put(product: Product, version: string): void {
    this.entries.delete(product.id);
    this.entries.set(product.id, { version, product });
    // Maps iterate in insertion order: the first key is the longest unrefreshed.
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
