// Serving's view of the running experiment: which variant a shopper is in, and what serves it — the
// variant's run's model with its own matrix, or the popular list. Read again within RECHECK_MS or at once
// on experiments_changed; the variants' models are loaded before the experiment is served here, so a
// shopper's first list in it is already the variant's.
import type { PrismaClient } from '../store/db.js';
import type { Logger } from '../log.js';
import type { Notifications } from '../store/notifications.js';
import type { LoadedModel } from '../serving/active-model.js';
import { variantOf, type Variant } from './assignment.js';
import { variantMatrixTable } from './variant-matrices.js';

const RECHECK_MS = 1000;
/** How long a finished experiment's models are kept for the requests still answering with them. */
const RETIRE_AFTER_MS = 30_000;

export interface ServingVariant extends Variant {
  experimentId: number;
  /** Null for the popular list. */
  model: LoadedModel | null;
  /** Its own matrix, read while its run is not the active one (servingOf). */
  matrix: string | null;
}

export interface LiveExperiment {
  id: number;
  salt: string;
  variants: ServingVariant[];
}

/**
 * What ranks a variant's shoppers: nothing (the popular list) for the popular variant; the active model on the
 * served matrix when the variant's run is the active one (the same statements as outside the experiment);
 * else the variant's model on its own matrix. Outside any variant (null): the active model.
 */
export function servingOf(variant: ServingVariant | null, active: LoadedModel | null): { model: LoadedModel | null; matrix?: string } {
  if (!variant) return { model: active };
  if (variant.runId === null) return { model: null };
  if (variant.runId === active?.runId) return { model: active };
  return { model: variant.model, matrix: variant.matrix ?? undefined };
}

export class ExperimentRouter {
  private current: LiveExperiment | null = null;
  private checkedAt = 0;
  private pending: Promise<LiveExperiment | null> | null = null;
  /** The experiment that could not be loaded here (served as if none ran), so it is not retried every second. */
  private failedId: number | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly loadModel: (runId: number) => Promise<LoadedModel>,
    private readonly log: Logger,
  ) {}

  async follow(notifications: Notifications): Promise<void> {
    const invalidate = () => {
      this.checkedAt = 0;
    };
    await notifications.listen('experiments_changed', { onNotify: invalidate, onResync: invalidate });
  }

  /** The experiment being served now, or null. */
  async live(): Promise<LiveExperiment | null> {
    if (this.pending) return this.pending;
    if (Date.now() - this.checkedAt < RECHECK_MS) return this.current;
    this.pending = this.refresh().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** The variant serving `userId` in `live`, or null (outside the experiment's shares). */
  route(live: LiveExperiment, userId: string): ServingVariant | null {
    return variantOf(live.variants, live.salt, userId);
  }

  private async refresh(): Promise<LiveExperiment | null> {
    try {
      const running = await this.prisma.experiment.findFirst({ where: { status: 'running' }, select: { id: true, salt: true, variants: true } });
      if (running?.id === this.current?.id || (running && running.id === this.failedId)) return this.checked(this.current);
      if (!running) return this.checked(this.replace(null));
      const variants: ServingVariant[] = [];
      try {
        const models = new Map<number, LoadedModel>();
        for (const variant of running.variants as unknown as Variant[]) {
          let model: LoadedModel | null = null;
          if (variant.runId !== null) {
            model = models.get(variant.runId) ?? (await this.loadModel(variant.runId));
            models.set(variant.runId, model);
          }
          variants.push({ ...variant, experimentId: running.id, model, matrix: variant.runId === null ? null : variantMatrixTable(variant.runId) });
        }
      } catch (error) {
        for (const model of new Set(variants.map((v) => v.model))) model?.model.dispose();
        this.failedId = running.id;
        this.log.error({ err: error, experimentId: running.id }, 'cannot load the models of the experiment; its shoppers get the active model meanwhile');
        return this.checked(this.replace(null));
      }
      this.log.info({ experimentId: running.id, variants: variants.map((v) => ({ name: v.name, runId: v.runId, share: v.share })) }, 'serving the experiment');
      return this.checked(this.replace({ id: running.id, salt: running.salt, variants }));
    } catch (error) {
      this.log.warn({ err: error }, 'could not read the running experiment; serving as before');
      return this.checked(this.current);
    }
  }

  private checked(live: LiveExperiment | null): LiveExperiment | null {
    this.checkedAt = Date.now();
    return live;
  }

  private replace(next: LiveExperiment | null): LiveExperiment | null {
    const previous = this.current;
    this.current = next;
    if (previous && previous !== next) {
      const timer = setTimeout(() => {
        for (const model of new Set(previous.variants.map((v) => v.model))) model?.model.dispose();
      }, RETIRE_AFTER_MS);
      timer.unref();
    }
    return next;
  }

  close(): void {
    this.replace(null);
  }
}
