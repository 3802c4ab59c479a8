// A run's selection model beside its networks in the artifact folder:
//   selection.json  the shapes and the blend the run's lists are ranked by
//   selection.bin   float32 little-endian: each block's input scale per product [numItems], the products'
//                   vectors [numItems × rank], then the users' vectors at training [numUsers × rank]
// (format 1, before the low-pass block: one block, its width the rank.)
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
  formatVersion: 1 | 2;
  numItems: number;
  numUsers: number;
  rank: number;
  /** The blocks' widths (format 2). */
  widths?: number[];
  blend: RankBlend;
}

export async function saveSelection(dir: string, saved: SavedSelection): Promise<void> {
  const { model, userVectors, numUsers, blend } = saved;
  const widths = model.parts.map((p) => p.width);
  const meta: SelectionJson = { formatVersion: 2, numItems: model.numItems, numUsers, rank: model.rank, widths, blend };
  const parts = [...model.parts.map((p) => p.inputScale), model.vectors, userVectors];
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
  const widths = meta.widths ?? [rank];
  const scales = widths.length * numItems;
  const expected = 4 * (scales + numItems * rank + numUsers * rank);
  if (bytes.byteLength !== expected) throw new Error(`${SELECTION_BIN} holds ${bytes.byteLength} bytes, not the ${expected} its ${SELECTION_JSON} describes`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const parts = widths.map((width, p) => ({ width, inputScale: all.subarray(p * numItems, (p + 1) * numItems) }));
  const vectors = all.subarray(scales, scales + numItems * rank);
  const userVectors = all.subarray(scales + numItems * rank);
  return { model: new SelectionModel(numItems, parts, vectors), userVectors, numUsers, blend: meta.blend };
}
