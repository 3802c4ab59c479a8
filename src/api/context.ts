// What every resolver gets: the store, this request's loaders, the caller's credentials.
import type { Catalog } from '../store/catalog.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Trainer } from '../training/trainer.js';
import type { ActiveModel } from '../serving/active-model.js';
import type { Recommender } from '../serving/recommender.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../log.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface ApiServices {
  catalog: Catalog;
  config: AppConfig;
  log: Logger;
  adminToken: string;
  scheduler: Scheduler;
  trainer: Trainer;
  activeModel: ActiveModel;
  recommender: Recommender;
}

export interface ApiContext extends ApiServices {
  loaders: Loaders;
  /** The bearer token the request presented, if any. */
  bearerToken: string | null;
}

export function createContext(services: ApiServices, authorization: string | undefined): ApiContext {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  return {
    ...services,
    loaders: createLoaders(services.catalog, services.recommender),
    bearerToken: match ? match[1].trim() : authorization ? '' : null,
  };
}
