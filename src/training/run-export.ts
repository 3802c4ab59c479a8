// A run, archived: its record as JSON files and its saved model, into a folder of its own, so that it can be
// kept or compared elsewhere (`npm run cli -- runs export <id> --out DIR`).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../store/db.js';
import { modelArtifacts } from '../store/blob/index.js';

export class RunExportError extends Error {
  override name = 'RunExportError';
}

export interface ExportedRun {
  dir: string;
  /** Files written, relative to `dir`. */
  files: string[];
  /** False when the run has no saved model (it failed, or is still running). */
  model: boolean;
}

/** The files `runs export` writes besides `model/`. */
export const EXPORT_FILES = ['run.json', 'config.json', 'metrics.json', 'history.json'] as const;

export async function exportRun(store: Store, modelsDir: string, runId: number, out: string): Promise<ExportedRun> {
  const run = await store.prisma.modelRun.findUnique({ where: { id: runId } });
  if (!run) throw new RunExportError(`There is no run ${runId}: \`npm run cli -- runs\` lists them.`);
  const dir = path.resolve(out);
  const existing = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  if (existing.length > 0) throw new RunExportError(`${dir} is not empty: export into a new or empty folder.`);
  await fs.mkdir(dir, { recursive: true });

  const { config, metrics, history, ...record } = run;
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await fs.writeFile(path.join(dir, 'run.json'), json(record));
  await fs.writeFile(path.join(dir, 'config.json'), json(config));
  await fs.writeFile(path.join(dir, 'metrics.json'), json(metrics));
  await fs.writeFile(path.join(dir, 'history.json'), json(history ?? []));
  const files: string[] = [...EXPORT_FILES];
  if (!run.artifactHash) return { dir, files, model: false };

  // The model as the store keeps it (fetched into the local cache when missing), copied file by file.
  const folder = await modelArtifacts(store.pool, modelsDir).folder(run.id);
  await fs.cp(folder, path.join(dir, 'model'), { recursive: true });
  for (const entry of await fs.readdir(path.join(dir, 'model'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return { dir, files, model: true };
}
