// MODELS_DIR as a cache of the ArtifactStore: a run's model is unpacked into
// <MODELS_DIR>/<run id>-<first 16 of its hash>/ and used from there. A folder
// whose files do not match the run's hash (another database's run 1, a partial
// copy, an edit) is refused and fetched again, so a model is never served for a
// run it does not belong to.
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { contentHash, type ArtifactFiles, type ArtifactStore } from './artifact-store.js';

export class ArtifactCacheError extends Error {
  override name = 'ArtifactCacheError';
}

/** The cache folder's name for a run's model with `hash`. */
export const cacheFolderName = (runId: number, hash: string) => `${runId}-${hash.slice(0, 16)}`;

/** Every file under `dir`, by path relative to it. */
export async function readFolder(dir: string): Promise<ArtifactFiles> {
  const files: ArtifactFiles = new Map();
  const walk = async (relative: string) => {
    for (const entry of await fs.readdir(path.join(dir, relative), { withFileTypes: true })) {
      const file = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) await walk(file);
      else if (entry.isFile()) files.set(file, await fs.readFile(path.join(dir, file)));
    }
  };
  await walk('');
  return files;
}

async function writeFolder(dir: string, files: ArtifactFiles): Promise<void> {
  for (const [file, content] of files) {
    if (file.split('/').some((part) => part === '..' || part === '')) throw new ArtifactCacheError(`refusing to write ${file} outside ${dir}`);
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), content);
  }
}

export class LocalArtifactCache {
  constructor(
    private readonly store: ArtifactStore,
    private readonly modelsDir: string,
    private readonly onRefetch: (runId: number, reason: string) => void = () => {},
  ) {}

  /**
   * Saves the folder a run's model was written to: into the store, then renamed to its cache name.
   * Returns the cache folder (absolute) and the hash.
   */
  async publish(runId: number, writtenDir: string): Promise<{ dir: string; hash: string }> {
    const files = await readFolder(writtenDir);
    const hash = await this.store.save(runId, files);
    const dir = path.join(this.modelsDir, cacheFolderName(runId, hash));
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(writtenDir, dir);
    return { dir, hash };
  }

  /** A fresh folder to write a run's model into before publishing it. */
  async scratchFolder(runId: number): Promise<string> {
    await fs.mkdir(this.modelsDir, { recursive: true });
    return fs.mkdtemp(path.join(this.modelsDir, `.${runId}-`));
  }

  /** The local folder of a run's model, fetched from the store when missing or not matching its hash. */
  async folder(runId: number): Promise<string> {
    const hash = await this.store.hash(runId);
    if (!hash) throw new ArtifactCacheError(`run ${runId} has no saved model in the database`);
    const dir = path.join(this.modelsDir, cacheFolderName(runId, hash));
    const local = await readFolder(dir).catch(() => null);
    if (local && contentHash(local) === hash) return dir;
    if (local) this.onRefetch(runId, `${dir} does not match the run's model; fetching it again`);
    const stored = await this.store.load(runId);
    if (!stored || stored.hash !== hash) throw new ArtifactCacheError(`run ${runId}: its model changed while it was being fetched`);
    // Written beside, then renamed: a reader never sees half a folder.
    await fs.mkdir(this.modelsDir, { recursive: true });
    const scratch = path.join(this.modelsDir, `.fetch-${runId}-${crypto.randomBytes(4).toString('hex')}`);
    try {
      await writeFolder(scratch, stored.files);
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(scratch, dir).catch(async (error) => {
        // Another process sharing MODELS_DIR put it there first: fine if it is the same model.
        const there = await readFolder(dir).catch(() => null);
        if (!there || contentHash(there) !== hash) throw error;
      });
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
    return dir;
  }
}
