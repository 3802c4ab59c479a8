// Neighbours by cosine similarity of the active model's embeddings: similar products and similar users,
// one index of each side per loaded model, built on first use and dropped with the model.
import type pg from 'pg';
import type { Product, User } from '../../store/catalog.js';
import { PRODUCTS_BY_EXTERNAL_IDS_SQL, USERS_BY_EXTERNAL_IDS_SQL } from '../../store/sql.js';
import type { LoadedModel } from '../active-model.js';
import type { Similar } from '../types.js';
import { CosineIndex } from './cosine-index.js';

type Side = 'user' | 'item';

/** Each side's SQL by shop id, and where the model keeps its ids. */
const SIDES = {
  user: { name: 'users-by-external-ids', text: USERS_BY_EXTERNAL_IDS_SQL, index: (m: LoadedModel) => m.userIndex, ids: (m: LoadedModel) => m.vocabulary.users },
  item: {
    name: 'products-by-external-ids',
    text: PRODUCTS_BY_EXTERNAL_IDS_SQL,
    index: (m: LoadedModel) => m.productIndex,
    ids: (m: LoadedModel) => m.vocabulary.products,
  },
} as const;

/** Spare neighbours stand in for rows deleted since training. */
const SPARE = 10;

export class SimilarItems {
  private readonly indexes = new WeakMap<LoadedModel, Record<Side, CosineIndex>>();

  constructor(private readonly pool: pg.Pool) {}

  /** Products nearest to `externalId`; [] when the model has not seen it. */
  products(model: LoadedModel | null, externalId: string, first: number): Promise<Similar<Product>[]> {
    return this.nearest<Product>(model, 'item', externalId, first);
  }

  /** Users nearest to `externalId`; [] when the model has not seen them. */
  users(model: LoadedModel | null, externalId: string, first: number): Promise<Similar<User>[]> {
    return this.nearest<User>(model, 'user', externalId, first);
  }

  private async nearest<T extends { externalId: string }>(model: LoadedModel | null, side: Side, externalId: string, first: number): Promise<Similar<T>[]> {
    const sql = SIDES[side];
    const index = model ? sql.index(model).get(externalId) : undefined;
    if (!model || index === undefined) return [];
    const neighbours = this.indexOf(model)[side].nearest(index, first + SPARE);
    const ids = sql.ids(model);
    const { rows } = await this.pool.query<T>({ name: sql.name, text: sql.text, values: [neighbours.map((n) => ids[n.index])] });
    const byId = new Map(rows.map((row) => [row.externalId, row]));
    return neighbours
      .map((n) => ({ node: byId.get(ids[n.index])!, similarity: n.similarity }))
      .filter((s) => s.node !== undefined)
      .slice(0, first);
  }

  private indexOf(model: LoadedModel): Record<Side, CosineIndex> {
    let indexes = this.indexes.get(model);
    if (!indexes) {
      const { members } = model.model;
      const tables = (side: Side) => members.map((m) => m[side].embeddings.dataSync() as Float32Array);
      indexes = {
        user: new CosineIndex(tables('user'), model.model.numUsers, members[0].user.dim),
        item: new CosineIndex(tables('item'), model.model.numItems, members[0].item.dim),
      };
      this.indexes.set(model, indexes);
    }
    return indexes;
  }
}
