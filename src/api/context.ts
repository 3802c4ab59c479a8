// What every resolver gets: the services, this request's loaders, who is calling
// (established at the HTTP boundary, src/api/server.ts) and a logger that tags
// every line with the request's id.
import type pg from 'pg';
import type { Catalog } from '../store/catalog.js';
import type { EventLog } from '../events/event-log.js';
import type { LiveRatingScale } from '../store/rating-scale.js';
import type { Promotions } from '../rules/promotions.js';
import type { RuleEngine } from '../rules/apply-rules.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { RunSupervisor } from '../training/supervisor.js';
import type { ActiveModel, LoadedModel } from '../serving/active-model.js';
import type { Recommender } from '../serving/recommender.js';
import type { KeyRing } from '../access/key-ring.js';
import type { VisitorTokens } from '../access/visitor-tokens.js';
import type { ImpressionLog } from '../attribution/impressions.js';
import type { ExperimentRouter } from '../experiments/experiment-router.js';
import type { Caller } from '../access/roles.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { Monitoring } from '../monitoring/monitoring.js';
import { RequestLoaders, type Loaders } from './loaders.js';

export interface ApiServices {
  catalog: Catalog;
  events: EventLog;
  /** The store's rating scale, as last read (src/store/rating-scale.ts). */
  ratingScale: LiveRatingScale;
  promotions: Promotions;
  ruleEngine: RuleEngine;
  config: AppConfig;
  log: Logger;
  keyRing: KeyRing;
  visitorTokens: VisitorTokens;
  /** Served lists, for attribution. */
  impressions: ImpressionLog;
  /** The running A/B test's variants, for the recommendations loader (src/experiments). */
  experiments: ExperimentRouter;
  scheduler: Scheduler;
  supervisor: RunSupervisor;
  activeModel: ActiveModel;
  recommender: Recommender;
  metrics: ServiceMetrics;
  monitoring: Monitoring;
  /** The primary's pool, for the few admin statements that are no service's own (stored settings). */
  pool: pg.Pool;
}

export interface ApiContext extends ApiServices {
  loaders: Loaders;
  caller: Caller;
  requestId: string;
  /** performance.now() when the request arrived (for its latency). */
  startedAt: number;
  /**
   * The model this request is answered with: the active one when the request first needs it, then the same
   * for every field of the request, so that one answer never mixes two models around an activation.
   */
  model(): Promise<LoadedModel | null>;
}

/**
 * The services are the context's prototype rather than copied into it: one object per request either
 * way, but without writing eight fields into each (it showed in a recommendations request's CPU
 * profile). Loaders and the request's logger are made on first use.
 */
export function contextFactory(services: ApiServices): (caller: Caller, requestId: string, startedAt: number) => ApiContext {
  const proto = Object.create(services, {
    loaders: {
      get(this: ApiContext & { ownLoaders?: Loaders }) {
        return (this.ownLoaders ??= new RequestLoaders(services.catalog, services.recommender, () => this.model(), services.ruleEngine, services.experiments));
      },
    },
    log: {
      get(this: ApiContext & { ownLog?: Logger }) {
        return (this.ownLog ??= services.log.child({ requestId: this.requestId }));
      },
    },
    model: {
      value(this: ApiContext & { pinned?: Promise<LoadedModel | null> }) {
        return (this.pinned ??= services.activeModel.get());
      },
    },
  });
  return (caller, requestId, startedAt) => {
    const context: ApiContext = Object.create(proto);
    context.caller = caller;
    context.requestId = requestId;
    context.startedAt = startedAt;
    return context;
  };
}
