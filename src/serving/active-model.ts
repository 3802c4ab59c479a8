// The active run's model, loaded in the serving process from the database
// (through the local cache of MODELS_DIR, src/store/blob): scores any pair on
// demand (the matrix only holds unrated pairs) and keeps the embeddings at hand.
// Reloaded when another run becomes active, whichever instance activated it:
// at once on its notification (active_model_changed), else within RECHECK_MS.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PrismaClient } from '../store/db.js';
import type { Logger } from '../log.js';
import type { LocalArtifactCache } from '../store/blob/local-cache.js';
import type { Notifications } from '../store/notifications.js';
import { loadSelection, type SavedSelection } from '../model/selection/selection-artifacts.js';
import type { RankingEnsemble } from '../model/ranking-ensemble.js';
import type { BaselineModel } from '../model/baseline.js';
import { VOCABULARY_JSON, type Vocabulary } from '../training/dataset.js';

/**
 * The network's code (TensorFlow.js, the heaviest of the service's imports), imported with the first model: a
 * process that serves no model yet, and the CLI's commands that need none, start without it.
 */
const loadNetworkCode = () => Promise.all([import('../model/backend.js'), import('../model/artifacts.js'), import('../model/score.js')]);
let networkModules: ReturnType<typeof loadNetworkCode> | undefined;
const networkCode = () => (networkModules ??= loadNetworkCode());

const RECHECK_MS = 1000;
/** How long a replaced model is kept for the requests still answering with it. */
const RETIRE_AFTER_MS = 30_000;

export interface LoadedModel {
  runId: number;
  model: RankingEnsemble;
  baseline: BaselineModel;
  /** Shop id → model index. */
  userIndex: Map<string, number>;
  productIndex: Map<string, number>;
  vocabulary: Vocabulary;
  /** Set when its matrix keeps only each user's best K products (src/serving/beyond-matrix.ts serves the rest). */
  topK: number | null;
  /** Its selection model and the blend its lists are ranked by; null for a run trained without one (lists by predicted rating). */
  selection: SavedSelection | null;
}

/** A finished run's saved model, ready to serve (the active run's, or an experiment variant's). */
export async function loadServedModel(artifacts: LocalArtifactCache, backend: string, run: { id: number; matrix: unknown }): Promise<LoadedModel> {
  const [{ initBackend }, { loadModel }] = await networkCode();
  await initBackend(backend);
  const folder = await artifacts.folder(run.id);
  const { model, baseline } = await loadModel(folder);
  const selection = await loadSelection(folder);
  const vocabulary = JSON.parse(await fs.readFile(path.join(folder, VOCABULARY_JSON), 'utf8')) as Vocabulary;
  if (!baseline) {
    model.dispose();
    throw new Error('baseline.json is missing');
  }
  return {
    runId: run.id,
    model,
    baseline,
    vocabulary,
    userIndex: new Map(vocabulary.users.map((id, i) => [id, i])),
    productIndex: new Map(vocabulary.products.map((id, i) => [id, i])),
    topK: (run.matrix as { topK?: number | null } | null)?.topK ?? null,
    selection,
  };
}

export class ActiveModel {
  private current: LoadedModel | null = null;
  private checkedAt = 0;
  private pending: Promise<LoadedModel | null> | null = null;
  private readonly retiring = new Map<NodeJS.Timeout, LoadedModel>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly backend: string,
    private readonly log: Logger,
    private readonly artifacts: LocalArtifactCache,
  ) {}

  /** Hears of activations by any instance at once (polling stays as the fallback). */
  async follow(notifications: Notifications): Promise<void> {
    const invalidate = () => this.invalidate();
    await notifications.listen('active_model_changed', { onNotify: invalidate, onResync: invalidate });
  }

  /**
   * The model being served now, or null when none has been trained. While a
   * check (and a new model's load) is in flight every caller waits for it, so
   * the fields of one response never mix the old model and the new one.
   */
  async get(): Promise<LoadedModel | null> {
    if (this.pending) return this.pending;
    if (Date.now() - this.checkedAt < RECHECK_MS) return this.current;
    this.pending = this.refresh().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Forget the cached answer (after this process activated another run). */
  invalidate(): void {
    this.checkedAt = 0;
  }

  private async refresh(): Promise<LoadedModel | null> {
    const active = await this.prisma.modelRun.findFirst({ where: { active: true }, select: { id: true, artifactHash: true, matrix: true } });
    if (!active?.artifactHash) return this.checked(this.replace(null));
    if (this.current?.runId === active.id) return this.checked(this.current);
    try {
      const loaded = await loadServedModel(this.artifacts, this.backend, active);
      this.log.info({ runId: active.id }, 'serving the model of the active run');
      return this.checked(this.replace(loaded));
    } catch (error) {
      this.log.error({ err: error, runId: active.id }, 'cannot load the active model; scores fall back to the previous one');
      return this.checked(this.current);
    }
  }

  /** Marks the answer fresh for RECHECK_MS: only once a new model is loaded, not when the run id is read. */
  private checked(model: LoadedModel | null): LoadedModel | null {
    this.checkedAt = Date.now();
    return model;
  }

  private replace(next: LoadedModel | null): LoadedModel | null {
    const previous = this.current;
    if (previous && previous !== next) {
      // Requests pinned to it (ApiContext.model) may still be answering: its tensors go a little later.
      const timer = setTimeout(() => {
        this.retiring.delete(timer);
        previous.model.dispose();
      }, RETIRE_AFTER_MS);
      timer.unref();
      this.retiring.set(timer, previous);
    }
    this.current = next;
    return next;
  }

  /** Predicted ratings for pairs of shop ids; users or products the model has not seen get the baseline. */
  async scorePairs(pairs: { userId: string; productId: string }[], pinned?: LoadedModel | null): Promise<(number | null)[]> {
    const loaded = pinned !== undefined ? pinned : await this.get();
    if (!loaded) return pairs.map(() => null);
    const users = Int32Array.from(pairs, (p) => loaded.userIndex.get(p.userId) ?? -1);
    const products = Int32Array.from(pairs, (p) => loaded.productIndex.get(p.productId) ?? -1);
    const [, , { scorePairs }] = await networkCode(); // loaded with the model
    return Array.from(scorePairs(loaded.model, users, products, loaded.baseline));
  }

  close(): void {
    this.replace(null);
    for (const [timer, model] of this.retiring) {
      clearTimeout(timer);
      model.model.dispose();
    }
    this.retiring.clear();
  }
}
