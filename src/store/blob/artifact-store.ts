// Where trained models live: one small interface, so that the database (today)
// or an S3-compatible store (later) can hold them, as Gorse keeps its blob
// store behind one interface. A run's model is a set of files (path → bytes)
// with one content hash over all of them.
import crypto from 'node:crypto';

/** A saved model's files, by path relative to its folder ("model.json", "member-1/weights.bin", …). */
export type ArtifactFiles = Map<string, Buffer>;

export interface ArtifactStore {
  /** Stores a run's files, replacing any it had, and records their hash on the run; returns the hash. */
  save(runId: number, files: ArtifactFiles): Promise<string>;
  /** A run's files and their hash; null when none are stored. */
  load(runId: number): Promise<{ hash: string; files: ArtifactFiles } | null>;
  /** The hash of a run's stored files (cheap); null when none are stored. */
  hash(runId: number): Promise<string | null>;
}

export const sha256 = (data: Buffer | string): string => crypto.createHash('sha256').update(data).digest('hex');

/** One hash over every file: its path and its content's hash, in path order. */
export function contentHash(files: ArtifactFiles): string {
  const lines = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, content]) => `${file}\0${sha256(content)}\n`);
  return sha256(lines.join(''));
}
