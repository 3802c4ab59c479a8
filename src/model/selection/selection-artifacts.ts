// A run's selection model beside its networks in the artifact folder:
//   selection.json  the shapes and the blend the run's lists are ranked by
//   selection.bin   float32 little-endian: 1/Λ per product [numItems], the products' vectors
//                   [numItems × rank], then the users' vectors at training [numUsers × rank]
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RankBlend } from '../rank-blend.js';
import { SelectionModel } from './linear-autoencoder.js';

export const SELECTION_JSON = 'selection.json';
export const SELECTION_BIN = 'selection.bin';

export interface SavedSelection {
  model: SelectionModel;
  /** Each model user's vector from what they did up to the run: [numUsers × rank]. */
  userVectors: Float32Array;
  numUsers: number;
  blend: RankBlend;
}

interface SelectionJson {
  formatVersion: 1;
  numItems: number;
  numUsers: number;
  rank: number;
  blend: RankBlend;
}

export async function saveSelection(dir: string, saved: SavedSelection): Promise<void> {
  const { model, userVectors, numUsers, blend } = saved;
  const meta: SelectionJson = { formatVersion: 1, numItems: model.numItems, numUsers, rank: model.rank, blend };
  const parts = [model.inputScale, model.vectors, userVectors];
  await fs.writeFile(path.join(dir, SELECTION_BIN), Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  await fs.writeFile(path.join(dir, SELECTION_JSON), JSON.stringify(meta));
}

/** The run's selection model, or null for a run trained without one. */
export async function loadSelection(dir: string): Promise<SavedSelection | null> {
  let meta: SelectionJson;
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, SELECTION_JSON), 'utf8')) as SelectionJson;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const bytes = await fs.readFile(path.join(dir, SELECTION_BIN));
  const { numItems, numUsers, rank } = meta;
  const expected = 4 * (numItems + numItems * rank + numUsers * rank);
  if (bytes.byteLength !== expected) throw new Error(`${SELECTION_BIN} holds ${bytes.byteLength} bytes, not the ${expected} its ${SELECTION_JSON} describes`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const inputScale = all.subarray(0, numItems);
  const vectors = all.subarray(numItems, numItems + numItems * rank);
  const userVectors = all.subarray(numItems + numItems * rank);
  return { model: new SelectionModel(numItems, rank, inputScale, vectors), userVectors, numUsers, blend: meta.blend };
}
