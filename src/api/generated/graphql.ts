import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { User as UserRow, Product as ProductRow, Rating as RatingRow, ModelRun as ModelRunRow, ApiKey as ApiKeyRow, Promotion as PromotionRow, TuningSearch as TuningSearchRow, Experiment as ExperimentRow } from '../../store/generated/prisma/client.js';
import type { VariantResult } from '../../experiments/experiments.js';
import type { UserConnectionModel, ProductConnectionModel, RatingConnectionModel } from '../models.js';
import type { ScoredProductConnectionModel } from '../../serving/types.js';
import type { ApiContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  DateTime: { input: Date | string; output: Date | string; }
  JSON: { input: unknown; output: unknown; }
};

export type ApiKey = {
  __typename?: 'ApiKey';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** What the key is for. */
  name: Scalars['String']['output'];
  /** The key's first characters, to recognise it. */
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  role: Role;
};

export type CatalogMetrics = {
  __typename?: 'CatalogMetrics';
  /** Products by the baseline's product bias. */
  baseline: CatalogRanking;
  /** How the run's lists are ranked, as chosen on its validation split. Null for runs without a selection model. */
  blend?: Maybe<ListBlend>;
  k: Scalars['Int']['output'];
  /** Ranked by the network's predicted rating alone. */
  network: CatalogRanking;
  /** Products by how many users interacted with them in training, less what each user interacted with. */
  popularity: CatalogRanking;
  /** Products in the model's catalog. */
  products: Scalars['Int']['output'];
  /** Ranked by the selection model's pick score alone (who picks what). Null for runs without one. */
  selection?: Maybe<CatalogRanking>;
  /** The lists as the run serves them: ranked by its blend of the pick score and the predicted rating. Null for runs recorded before lists were blended (they served by predicted rating: `network`). */
  served?: Maybe<CatalogRanking>;
  split: HeldOutSplit;
  /** Users evaluated: those with a relevant held-out product (at most 2,000, sampled). */
  users: Scalars['Int']['output'];
};

/** At the cut-off k; null when no user had a relevant held-out product. A held-out rating (or implicit rating of events) at or above the relevance threshold is relevant. */
export type CatalogRanking = {
  __typename?: 'CatalogRanking';
  /** Share of the catalog in anyone's top k. */
  coverage?: Maybe<Scalars['Float']['output']>;
  /** From the mean precision and recall. */
  f1?: Maybe<Scalars['Float']['output']>;
  /** Share of users with at least one relevant product in their top k. */
  hitRate?: Maybe<Scalars['Float']['output']>;
  ndcg?: Maybe<Scalars['Float']['output']>;
  precision?: Maybe<Scalars['Float']['output']>;
  recall?: Maybe<Scalars['Float']['output']>;
};

export type CreatedApiKey = {
  __typename?: 'CreatedApiKey';
  apiKey: ApiKey;
  /** The key itself, shown this once: send it as "Authorization: Bearer <key>". */
  key: Scalars['String']['output'];
};

export type DataProfile = {
  __typename?: 'DataProfile';
  /** When the run read its data, or the start of the window of arrivals. */
  at: Scalars['DateTime']['output'];
  /** Ratings and events per product category. */
  categories: Scalars['JSON']['output'];
  events: Scalars['Int']['output'];
  meanRating?: Maybe<Scalars['Float']['output']>;
  newProducts?: Maybe<Scalars['Int']['output']>;
  /** Arrivals only: users and products created in the window. */
  newUsers?: Maybe<Scalars['Int']['output']>;
  products: Scalars['Int']['output'];
  ratings: Scalars['Int']['output'];
  /** Ratings per star (rounded value): {"4": 120, …}. */
  stars: Scalars['JSON']['output'];
  users: Scalars['Int']['output'];
};

/** What arrived on one day (UTC): users and products created, ratings given, events that happened. */
export type DayGrowth = {
  __typename?: 'DayGrowth';
  /** YYYY-MM-DD */
  day: Scalars['String']['output'];
  events: Scalars['Int']['output'];
  products: Scalars['Int']['output'];
  ratings: Scalars['Int']['output'];
  users: Scalars['Int']['output'];
};

export type Drift = {
  __typename?: 'Drift';
  /** What arrived since: ratings given or changed, events, users and products created. */
  arrived: DataProfile;
  checkedAt: Scalars['DateTime']['output'];
  /** Whether any measure passed its limit: retraining is due. */
  exceeded: Scalars['Boolean']['output'];
  measures: Array<DriftMeasure>;
  /** The active run it compares with. */
  runId: Scalars['ID']['output'];
  /** What the active model was trained on (as of its snapshot). */
  trainedOn: DataProfile;
};

export type DriftMeasure = {
  __typename?: 'DriftMeasure';
  exceeded: Scalars['Boolean']['output'];
  limit: Scalars['Float']['output'];
  name: DriftMeasureName;
  /** Null while too few ratings arrived to measure it (DRIFT_MIN_ARRIVALS). */
  value?: Maybe<Scalars['Float']['output']>;
};

export type DriftMeasureName =
  /** Population stability index of the interactions' category mix. */
  | 'CATEGORY_PSI'
  /** Stars between the new ratings' mean and the trained-on mean. */
  | 'MEAN_SHIFT'
  /** Hours since the active model's data was read. */
  | 'MODEL_AGE_HOURS'
  /** Products created since, as a share of all products. */
  | 'NEW_PRODUCTS_SHARE'
  /** New or changed ratings, as a share of those it was trained on. */
  | 'NEW_RATINGS_SHARE'
  /** Users created since, as a share of all users. */
  | 'NEW_USERS_SHARE'
  /** Population stability index of the star distribution (0.1 some, 0.2 significant change). */
  | 'RATING_PSI';

export type EpochStats = {
  __typename?: 'EpochStats';
  epoch: Scalars['Int']['output'];
  epochs: Scalars['Int']['output'];
  loss: Scalars['Float']['output'];
  /** Which network of the ensemble (1-based) the epoch trained. */
  member: Scalars['Int']['output'];
  seconds: Scalars['Float']['output'];
  trainRmse: Scalars['Float']['output'];
  valRmse?: Maybe<Scalars['Float']['output']>;
};

export type EvalMetrics = {
  __typename?: 'EvalMetrics';
  mae: Scalars['Float']['output'];
  ndcgAt10: Scalars['Float']['output'];
  precisionAt10: Scalars['Float']['output'];
  recallAt10: Scalars['Float']['output'];
  rmse: Scalars['Float']['output'];
};

export type EventInput = {
  /** When it happened (not in the future); the time of recording when omitted. */
  at?: InputMaybe<Scalars['DateTime']['input']>;
  /** The client's own id for the event, unique across the shop (up to 128 characters): a call retried with the same ids counts each event once, whatever `at` says. */
  eventId?: InputMaybe<Scalars['String']['input']>;
  productId: Scalars['ID']['input'];
  /** The list the shopper acted from (Recommendation.recommendationId): attributed to it when the list showed this product at most ATTRIBUTION_WINDOW_HOURS before. */
  recommendationId?: InputMaybe<Scalars['ID']['input']>;
  type: EventType;
  userId: Scalars['ID']['input'];
  /** An amount that came with it (quantity, price paid): stored, not learnt from. */
  value?: InputMaybe<Scalars['Float']['input']>;
};

export type EventType =
  | 'CART'
  | 'PURCHASE'
  | 'VIEW'
  | 'WISHLIST';

export type EventWeightsInput = {
  cart?: InputMaybe<Scalars['Float']['input']>;
  purchase?: InputMaybe<Scalars['Float']['input']>;
  view?: InputMaybe<Scalars['Float']['input']>;
  wishlist?: InputMaybe<Scalars['Float']['input']>;
};

export type Experiment = {
  __typename?: 'Experiment';
  /** The significance each comparison is held to: 5 % split between the comparisons (Bonferroni). */
  alpha: Scalars['Float']['output'];
  createdAt: Scalars['DateTime']['output'];
  error?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  metric: ExperimentMetric;
  minDetectableEffect: Scalars['Float']['output'];
  name: Scalars['String']['output'];
  /** The run activated by stopExperiment(promote: true). */
  promotedRunId?: Maybe<Scalars['ID']['output']>;
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: ExperimentStatus;
  stoppedAt?: Maybe<Scalars['DateTime']['output']>;
  variants: Array<ExperimentVariant>;
  /** The best variant significantly better than the control, or the control when every other variant is significantly worse; null while the data cannot tell. After a stop: the winner recorded then. */
  winner?: Maybe<Scalars['String']['output']>;
};

export type ExperimentInput = {
  /** What decides the winner. */
  metric?: InputMaybe<ExperimentMetric>;
  /** The smallest relative change worth detecting (0.05: 5 % of the variants' value): it sets how strongly the evidence is weighed and the sample size each comparison needs (80 % power). */
  minDetectableEffect?: InputMaybe<Scalars['Float']['input']>;
  /** 1 to 128 characters. */
  name: Scalars['String']['input'];
  /** 2 to 10 variants; the first is the control the others are compared with. */
  variants: Array<ExperimentVariantInput>;
};

/** What an experiment compares, each per product shown in the variant's lists, summed per shopper (the unit randomized). */
export type ExperimentMetric =
  /** Carts. */
  | 'ADD_TO_CART'
  /** Views of a listed product sent with the list's recommendationId. */
  | 'CLICK_THROUGH'
  /** Purchases. */
  | 'CONVERSION'
  /** The purchases' `value`. */
  | 'REVENUE';

export type ExperimentStatus =
  /** A variant's matrix could not be written (see `error`); nothing was served from it. */
  | 'FAILED'
  /** A trainer is writing the variants' matrices; shoppers are served as usual. */
  | 'PREPARING'
  | 'RUNNING'
  | 'STOPPED';

export type ExperimentVariant = {
  __typename?: 'ExperimentVariant';
  /** This variant's value minus the control's, with its 95 % (Bonferroni-adjusted) confidence interval; null for the control. */
  difference?: Maybe<Scalars['Float']['output']>;
  differenceHigh?: Maybe<Scalars['Float']['output']>;
  differenceLow?: Maybe<Scalars['Float']['output']>;
  /** Products shown. */
  impressions: Scalars['Int']['output'];
  lists: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  /** Two-sided, against the control (delta-method z-test over shoppers); null for the control or with fewer than two shoppers each. */
  pValue?: Maybe<Scalars['Float']['output']>;
  /** Null: the popular list. */
  runId?: Maybe<Scalars['ID']['output']>;
  share: Scalars['Float']['output'];
  /** Shoppers served at least one list. */
  users: Scalars['Int']['output'];
  /** More shoppers this variant and the control each need to detect minDetectableEffect with 80 % power; 0 once they have them. */
  usersNeeded?: Maybe<Scalars['Int']['output']>;
  /** The metric: attributed events (or revenue) per product shown. */
  value: Scalars['Float']['output'];
};

export type ExperimentVariantInput = {
  /** 1 to 64 characters, unique in the experiment. */
  name: Scalars['String']['input'];
  /** The run whose model serves this variant (succeeded or rejected, with a saved model); null: the popular list. */
  runId?: InputMaybe<Scalars['ID']['input']>;
  /** Its part of the shoppers, in (0, 1]; the shares add up to at most 1. */
  share: Scalars['Float']['input'];
};

export type HeldOutSplit =
  /** A random share of the ratings was held out (ratings only). */
  | 'RANDOM'
  /** Each user's latest interactions were held out (the shop has events). */
  | 'TIME';

/** How a run ranks its lists (chosen per run, for NDCG@10 on its validation split). */
export type ListBlend = {
  __typename?: 'ListBlend';
  /** The blend's direction: 0 ranks by the pick score alone, 90 by the predicted rating alone. */
  degrees: Scalars['Int']['output'];
  /** Rank of the low-pass filter (the catalog's broad tastes) added to the pick score; 0 when the run's blend left it out or it had none. */
  lowPassRank: Scalars['Int']['output'];
  /** The low-pass filter's scores per unit of the selection model's, as chosen on the validation split; 0 without one. */
  lowPassWeight: Scalars['Float']['output'];
  /** The selection model's regularization λ as a multiple of the mean of diag(XᵀX), chosen on an inner hold-out of the training interactions. */
  selectionLambda: Scalars['Float']['output'];
  /** Width of the selection model's vectors. */
  selectionRank: Scalars['Int']['output'];
  /** Whether a product the shopper viewed, carted or wishlisted may be shown to them again. */
  showsSeen: Scalars['Boolean']['output'];
};

/**
 * What one list leaves out or favours, applied as it is served (no retraining). Unavailable products, and
 * products the user rated or bought (unless repurchasable), are always left out. A list is still `first`
 * long after the rules when enough products pass them.
 */
export type ListRules = {
  /** Leave out products of these categories (up to 1,000). */
  excludeCategories?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Leave out these products (up to 1,000). */
  excludeProductIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** At most this many products of one category in the list (products without a category are not limited). */
  maxPerCategory?: InputMaybe<Scalars['Int']['input']>;
  maxPrice?: InputMaybe<Scalars['Float']['input']>;
  /** Only products with a price of at least this (a price range leaves out products without a price). */
  minPrice?: InputMaybe<Scalars['Float']['input']>;
  /** Favour what is trending (events of the last TRENDING_WINDOW_DAYS, halved every TRENDING_HALF_LIFE_DAYS): a personalized list adds TRENDING_WEIGHT × heat (0 to 1) to each candidate's score; a user the model does not know gets the trending products first (reason TRENDING). */
  trending?: InputMaybe<Scalars['Boolean']['input']>;
};

export type ModelRun = {
  __typename?: 'ModelRun';
  /** Whether this run's matrix is the one being served. */
  active: Scalars['Boolean']['output'];
  /** Where the saved model is, relative to the models folder (MODELS_DIR). */
  artifactPath?: Maybe<Scalars['String']['output']>;
  /** The TensorFlow.js backend it trained on: tensorflow, wasm or cpu. */
  backend?: Maybe<Scalars['String']['output']>;
  /** The full configuration the run used (model hyper-parameters, evaluation, gate, matrix). */
  config: Scalars['JSON']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** users, products, ratings, train and validation sizes. */
  dataCounts?: Maybe<Scalars['JSON']['output']>;
  error?: Maybe<Scalars['String']['output']>;
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  /** A forced run skipped the quality gate. */
  forced: Scalars['Boolean']['output'];
  /** The network's train and validation RMSE after every epoch. */
  history: Array<EpochStats>;
  id: Scalars['ID']['output'];
  /** The size of the written matrix (rows, users, products, cells, topK when cut to the top K per user) and, past MATRIX_MAX_CELLS, its candidate retrieval (method, clusters, candidates, recall of the exhaustive top K on a sample of users). */
  matrix?: Maybe<Scalars['JSON']['output']>;
  /** Validation metrics of the network and of its baseline. */
  metrics?: Maybe<RunMetrics>;
  /** Seconds spent in each phase (load, train, evaluate, score, writeBack). */
  phases: Scalars['JSON']['output'];
  /** Live progress while running. */
  progress?: Maybe<RunProgress>;
  /** Why the quality gate decided as it did. */
  reason?: Maybe<Scalars['String']['output']>;
  /** The hyper-parameter search a TUNING trial belongs to. */
  searchId?: Maybe<Scalars['ID']['output']>;
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: RunStatus;
  trigger: RunTrigger;
};

/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type Mutation = {
  __typename?: 'Mutation';
  /** Serves the matrix of an earlier run again, re-scored from its saved model (rollback). */
  activateModel?: Maybe<ModelRun>;
  /** Makes an API key with a role. The key is in the answer, once: only its hash is kept. */
  createApiKey?: Maybe<CreatedApiKey>;
  /** A signed token for a browser (HMAC; see VISITOR_TOKEN_SECRETS): sent as "Authorization: Bearer <token>", it reads only this user's lists and scores and records only their views, carts and wishlists (purchases stay the backend's), rate-limited per user. `ttlSeconds` is 60 to 604,800 (default 3,600). The user need not exist yet (a visitor). */
  createVisitorToken: Scalars['String']['output'];
  /** Erases a product with its ratings, events and rows of the prediction matrix, in one transaction; false when there was none. */
  deleteProduct?: Maybe<Scalars['Boolean']['output']>;
  /** Deletes a rating; false when there was none. */
  deleteRating?: Maybe<Scalars['Boolean']['output']>;
  /** Erases a user with their ratings, events, served lists and rows of the prediction matrix, in one transaction, then their rows of an experiment's variant matrices; false when there was none. The next run forgets them; their id is then answered like any id never seen. */
  deleteUser?: Maybe<Scalars['Boolean']['output']>;
  /** Ends a promotion now; NOT_FOUND when there is none with that id. */
  endPromotion?: Maybe<Promotion>;
  /** Moves a visitor's events and ratings to the account it signed in to (what the account already has wins) and erases the visitor, in one transaction; the account's lists follow at once. Returns the account. NOT_FOUND when the account does not exist; BAD_USER_INPUT when `visitorId` is an account the shop created. A visitor already merged (or never seen) moves nothing: a retried call is harmless. */
  mergeVisitor?: Maybe<User>;
  /** Makes a run's model configuration the stored default (trainingDefaults) for every later run; the served matrix changes only with the next run. Returns the stored defaults. */
  promoteConfig?: Maybe<Scalars['JSON']['output']>;
  /** Records a rating; rating the same product again replaces it. */
  rateProduct?: Maybe<Rating>;
  /** Records up to 1,000 events, all or none (with a visitor token: views, carts and wishlists of the token's user only): an unknown product refuses the call with NOT_FOUND and nothing is written (`import events` creates products instead). A user id the shop never created is a visitor (e.g. a browser's cookie id): it is made by its first event, and its lists follow its events at once. Returns how many were new: an event recorded before (same `eventId`, or same user, product, type and time) is kept once. */
  recordEvents?: Maybe<Scalars['Int']['output']>;
  /** Queues a training run and returns at once. While a run is queued or running, returns that run instead; asked with a `config` or `force` that run does not have, it is refused with CONFLICT (nothing is queued). `force` skips the quality gate. */
  retrain?: Maybe<ModelRun>;
  /** Revokes an API key: from now on it is refused by every instance. */
  revokeApiKey?: Maybe<ApiKey>;
  /** Starts a promotion (at `startsAt`, until `endsAt`); every instance applies it within 2 seconds. */
  setPromotion?: Maybe<Promotion>;
  /** Starts an A/B test between models. Shoppers are split by a stable hash of their id and the experiment (sticky: a shopper stays in one variant for the whole experiment; each experiment splits anew); shoppers past the shares' sum are served as usual. A trainer first writes each variant's run's matrix beside the served one (status PREPARING, about as long as activateModel), then the variants serve their shoppers' `recommendations` and `recommendationsForUsers` (status RUNNING); `score`, `scores`, `unratedProductScores` and the item lists keep answering the active model. One experiment runs at a time: CONFLICT while another is preparing or running. A model activated meanwhile serves only the shoppers outside the experiment. */
  startExperiment?: Maybe<Experiment>;
  /** Stops an experiment now, recording the winner as the data stand; its shoppers are served by the active model again within a second. With `promote`, the winner's run is activated too; refused with BAD_USER_INPUT, and nothing changed, when there is no winner yet or it is the popular list. NOT_FOUND when no experiment with that id is preparing or running. */
  stopExperiment?: Maybe<Experiment>;
  /** Starts a hyper-parameter search and returns at once: trial 1 trains the current default configuration, the others random draws from `space`, each a ModelRun with trigger TUNING that is never served; a trial falling behind the earlier ones is stopped early. A trainer runs the trials one after another; follow them with tuningSearch. */
  tune?: Maybe<TuningSearch>;
  /** Creates or updates a product. */
  upsertProduct?: Maybe<Product>;
  /** Creates or updates up to 1,000 products in one statement, all or none (ids distinct within the call); omitted fields keep their stored values, as upsertProduct. Returns how many were written. Larger catalogs: `npm run cli -- import products`. */
  upsertProducts?: Maybe<Scalars['Int']['output']>;
  /** Creates or updates a user. */
  upsertUser?: Maybe<User>;
  /** Creates or updates up to 1,000 users in one statement, all or none (ids distinct within the call); returns how many were written. Larger files: `npm run cli -- import users`. */
  upsertUsers?: Maybe<Scalars['Int']['output']>;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationActivateModelArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationCreateApiKeyArgs = {
  name: Scalars['String']['input'];
  role: Role;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationCreateVisitorTokenArgs = {
  ttlSeconds?: InputMaybe<Scalars['Int']['input']>;
  userId: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationDeleteProductArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationDeleteRatingArgs = {
  productId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationDeleteUserArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationEndPromotionArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationMergeVisitorArgs = {
  userId: Scalars['ID']['input'];
  visitorId: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationPromoteConfigArgs = {
  runId: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationRateProductArgs = {
  productId: Scalars['ID']['input'];
  rating: Scalars['Float']['input'];
  userId: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationRecordEventsArgs = {
  events: Array<EventInput>;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationRetrainArgs = {
  config?: InputMaybe<TrainingConfigInput>;
  force?: InputMaybe<Scalars['Boolean']['input']>;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationSetPromotionArgs = {
  input: PromotionInput;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationStartExperimentArgs = {
  input: ExperimentInput;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationStopExperimentArgs = {
  id: Scalars['ID']['input'];
  promote?: InputMaybe<Scalars['Boolean']['input']>;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationTuneArgs = {
  input: TuneInput;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationUpsertProductArgs = {
  input: UpsertProductInput;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationUpsertProductsArgs = {
  inputs: Array<UpsertProductInput>;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationUpsertUserArgs = {
  input: UpsertUserInput;
};


/**
 * Mutations in one request run one after another, each in a transaction of its own: one that fails writes
 * nothing and answers null with its error; the others are not affected by it (those before it stay written,
 * those after it still run). A request is refused whole, before any of them runs, when it asks for a field
 * above the caller's role or its variables are invalid.
 */
export type MutationUpsertUsersArgs = {
  inputs: Array<UpsertUserInput>;
};

export type OnlineGrouping =
  | 'DAY'
  | 'MODEL'
  /** The running or a past experiment's variant ("experiment 3: model"); lists served outside any experiment are "no experiment". */
  | 'VARIANT';

/** What one group of served lists led to (src/attribution). */
export type OnlineMetrics = {
  __typename?: 'OnlineMetrics';
  /** Carts per product shown. */
  addToCart: Rate;
  carts: Scalars['Int']['output'];
  /** Views per product shown. */
  clickThrough: Rate;
  /** Purchases per product shown. */
  conversion: Rate;
  /** The run ("run 12"), the kind of list ("popular", "bought_together", …), the experiment variant or the day (YYYY-MM-DD). */
  group: Scalars['String']['output'];
  /** Products shown, over all the lists. */
  impressions: Scalars['Int']['output'];
  lists: Scalars['Int']['output'];
  purchases: Scalars['Int']['output'];
  /** The sum of the attributed purchases' `value`. */
  revenue: Scalars['Float']['output'];
  views: Scalars['Int']['output'];
};

export type Optimizer =
  | 'adagrad'
  | 'adam'
  | 'sgd';

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type PairInput = {
  productId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};

export type Product = {
  __typename?: 'Product';
  attributes: Scalars['JSON']['output'];
  /** Whether it may be recommended. */
  available: Scalars['Boolean']['output'];
  category?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  price?: Maybe<Scalars['Float']['output']>;
  /** This product's ratings, newest first. */
  ratings: RatingConnection;
  /** Whether a shopper's purchase leaves it in their lists. */
  repurchasable: Scalars['Boolean']['output'];
};


export type ProductRatingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ProductConnection = {
  __typename?: 'ProductConnection';
  edges: Array<ProductEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ProductEdge = {
  __typename?: 'ProductEdge';
  cursor: Scalars['String']['output'];
  node: Product;
};

/** Boosts some products in every recommendation list while it is in force. */
export type Promotion = {
  __typename?: 'Promotion';
  createdAt: Scalars['DateTime']['output'];
  /** Set when it was ended early with endPromotion. */
  endedAt?: Maybe<Scalars['DateTime']['output']>;
  endsAt: Scalars['DateTime']['output'];
  /** Multiplies the products' rank scores in every list (above 0, at most 10; below 1 demotes): the products are candidates of each personalized list they fit, wherever the shopper's list had them. */
  factor: Scalars['Float']['output'];
  id: Scalars['ID']['output'];
  products: Array<Product>;
  startsAt: Scalars['DateTime']['output'];
};

export type PromotionInput = {
  endsAt: Scalars['DateTime']['input'];
  factor: Scalars['Float']['input'];
  /** 1 to 1,000 products. */
  productIds: Array<Scalars['ID']['input']>;
  /** Now when omitted. */
  startsAt?: InputMaybe<Scalars['DateTime']['input']>;
};

export type Query = {
  __typename?: 'Query';
  /** The run whose prediction matrix is being served, if any. */
  activeModel?: Maybe<ModelRun>;
  /** The API keys, oldest first (a key itself is only ever shown when it is made). */
  apiKeys: Array<ApiKey>;
  /** How far what arrived since the active model was trained has drifted from what it was trained on, each measure against its limit (DRIFT_MAX_*); at most 2 s old. Null without an active model that recorded its data. */
  drift?: Maybe<Drift>;
  /** An A/B test: each variant's metric, and each variant against the first (the control) with the difference's confidence interval, its p-value and the shoppers still needed. NOT_FOUND when there is none with that id. */
  experiment?: Maybe<Experiment>;
  /** The latest 50 A/B tests, newest first. */
  experiments: Array<Experiment>;
  modelRun?: Maybe<ModelRun>;
  /** Training runs, newest first. `first` defaults to 20, at most 100. */
  modelRuns: Array<ModelRun>;
  /** What the lists served from `from` to `to` led to, per model (`MODEL`: the run that ranked them, or the kind of list: popular, trending, bought_together…), per experiment variant (`VARIANT`) or per day (UTC): lists and products shown, and the views, carts and purchases sent with a list's recommendationId on a product it showed within ATTRIBUTION_WINDOW_HOURS; each rate per product shown with its 95 % interval. Lists served in the last second may not count yet. */
  onlineMetrics: Array<OnlineMetrics>;
  /** The shop's most popular products (by Bayesian average rating, as a new shopper's list), for pages without a shopper. `first` is 1 to 100. */
  popularProducts: Array<Recommendation>;
  product?: Maybe<Product>;
  /** Products in id order, optionally of one category. `first` defaults to 20, at most 100. */
  products: ProductConnection;
  /** Customers who bought this also bought: products the same shoppers bought close in time to this one (within TOGETHER_WINDOW_HOURS, each pair halved every TOGETHER_HALF_LIFE_MINUTES apart), strongest first, reason BOUGHT_TOGETHER; read from the events as they arrive. A list short of `first` goes on with popular products (reason POPULAR). Available products only. `first` is 1 to 100. */
  productsBoughtTogether: Array<Recommendation>;
  /** As productsBoughtTogether, from views (reason VIEWED_TOGETHER): what shoppers looked at around this product. */
  productsViewedTogether: Array<Recommendation>;
  /** Promotions not yet over, newest first. */
  promotions: Array<Promotion>;
  /** The user's best products they have not rated or bought, best first (by `rankScore`: how likely they are to pick each and like it), after the `rules` and the promotions in force. Any id is answered: one the shop never sent gets the popular list (a visitor before their first event). `first` is 1 to 100. */
  recommendations: Array<Recommendation>;
  /** Recommendations for up to 1,000 users in one call, in the order asked. `first` is 1 to 100. */
  recommendationsForUsers: Array<UserRecommendations>;
  /** The active model's predicted rating for any pair (the baseline's for a user or product the model has not seen); null before any model is trained. */
  score?: Maybe<Scalars['Float']['output']>;
  /** Predicted ratings for up to 10,000 pairs, in the order asked. */
  scores: Array<Maybe<Scalars['Float']['output']>>;
  /** The shop's totals and what arrived on each of the last `days` days (UTC; default 30, at most 365). */
  shopStats: ShopStats;
  /** The products whose embeddings in the active model are closest (cosine) to this one's; empty when the model has not seen the product or no model is trained. `first` is 1 to 100. */
  similarProducts: Array<SimilarProduct>;
  /** The users whose embeddings in the active model are closest (cosine) to this one's; empty when the model has not seen the user or no model is trained. `first` is 1 to 100. */
  similarUsers: Array<SimilarUser>;
  /** The stored default training configuration (set by promoteConfig) that every run starts from; {} until one is promoted. */
  trainingDefaults: Scalars['JSON']['output'];
  /** The nightly training run's schedule (RETRAIN_CRON, kept by the job queue for every instance); null when it is off. */
  trainingSchedule?: Maybe<TrainingSchedule>;
  /** What is trending now (events of the last TRENDING_WINDOW_DAYS, halved every TRENDING_HALF_LIFE_DAYS), then the popular ranking; reason TRENDING. `first` is 1 to 100. */
  trendingProducts: Array<Recommendation>;
  tuningSearch?: Maybe<TuningSearch>;
  /** Hyper-parameter searches, newest first. `first` defaults to 20, at most 100. */
  tuningSearches: Array<TuningSearch>;
  /** Every product the user has not rated or bought with its predicted rating (`score`), in the order of the user's recommendations (by `rankScore`, highest first; ties: newer product id first). `first` defaults to 20, at most 100. Past MATRIX_MAX_CELLS the stored matrix keeps each user's best MATRIX_TOP_K: paging past them goes on with the other unrated products, scored by the active model as they are asked for. The `rules`' filters apply; `maxPerCategory` and `trending` are refused here (they reorder a list, which paging cannot follow), and promotions do not reorder it: these are the model's scores. */
  unratedProductScores: ScoredProductConnection;
  user?: Maybe<User>;
  /** Users in id order. `first` defaults to 20, at most 100. */
  users: UserConnection;
};


export type QueryExperimentArgs = {
  id: Scalars['ID']['input'];
};


export type QueryModelRunArgs = {
  id: Scalars['ID']['input'];
};


export type QueryModelRunsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryOnlineMetricsArgs = {
  from: Scalars['DateTime']['input'];
  groupBy?: InputMaybe<OnlineGrouping>;
  to: Scalars['DateTime']['input'];
};


export type QueryPopularProductsArgs = {
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryProductArgs = {
  id: Scalars['ID']['input'];
};


export type QueryProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryProductsBoughtTogetherArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  productId: Scalars['ID']['input'];
};


export type QueryProductsViewedTogetherArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  productId: Scalars['ID']['input'];
};


export type QueryRecommendationsArgs = {
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  rules?: InputMaybe<ListRules>;
  userId: Scalars['ID']['input'];
};


export type QueryRecommendationsForUsersArgs = {
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  rules?: InputMaybe<ListRules>;
  userIds: Array<Scalars['ID']['input']>;
};


export type QueryScoreArgs = {
  productId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


export type QueryScoresArgs = {
  pairs: Array<PairInput>;
};


export type QueryShopStatsArgs = {
  days?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySimilarProductsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  productId: Scalars['ID']['input'];
};


export type QuerySimilarUsersArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  userId: Scalars['ID']['input'];
};


export type QueryTrendingProductsArgs = {
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryTuningSearchArgs = {
  id: Scalars['ID']['input'];
};


export type QueryTuningSearchesArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryUnratedProductScoresArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  rules?: InputMaybe<ListRules>;
  userId: Scalars['ID']['input'];
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A share with its 95 % Wilson interval. */
export type Rate = {
  __typename?: 'Rate';
  high: Scalars['Float']['output'];
  low: Scalars['Float']['output'];
  value: Scalars['Float']['output'];
};

export type Rating = {
  __typename?: 'Rating';
  createdAt: Scalars['DateTime']['output'];
  product: Product;
  updatedAt: Scalars['DateTime']['output'];
  user: User;
  value: Scalars['Float']['output'];
};

export type RatingConnection = {
  __typename?: 'RatingConnection';
  edges: Array<RatingEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type RatingEdge = {
  __typename?: 'RatingEdge';
  cursor: Scalars['String']['output'];
  node: Rating;
};

export type Recommendation = {
  __typename?: 'Recommendation';
  /** A promotion in force raised (or lowered) it in this list; `score` stays the prediction. */
  boosted: Scalars['Boolean']['output'];
  /** Where the list showed it: 1 for the first (as `rank`). */
  position: Scalars['Int']['output'];
  product: Product;
  /** 1 for the best. */
  rank: Scalars['Int']['output'];
  /** What the list is ordered by, before rules and promotions: how likely the shopper is to pick the product and rate it well (the run's blend of its selection model's pick score and the predicted rating, calibrated), on the rating scale; for POPULAR and TRENDING lists the Bayesian average rating. */
  rankScore: Scalars['Float']['output'];
  reason: RecommendationReason;
  /** The id of the list as served, the same for each of its products: send it with the shopper's events on them (EventInput.recommendationId) and they count for this list in onlineMetrics. */
  recommendationId: Scalars['ID']['output'];
  /** The predicted rating (PERSONALIZED, FOLDED_IN, FEATURES: what `score` and `scores` answer too), the product's Bayesian average rating (POPULAR, TRENDING), or for BOUGHT_TOGETHER and VIEWED_TOGETHER how strongly the two go together: the pairs with the asked product, weighted by closeness in time, per recent event on it. */
  score: Scalars['Float']['output'];
};

export type RecommendationReason =
  /** Bought by the same shoppers close in time to the product asked about (productsBoughtTogether). */
  | 'BOUGHT_TOGETHER'
  /** New to the model with too little activity to fit, and trained with feature towers: ranked by it from the vector of their attributes (age, gender, occupation, location…), until they do more. */
  | 'FEATURES'
  /** New to the model but with a few ratings or events since it was trained: ranked by it with an embedding fitted to them at once (fold-in against the frozen networks), until the next run learns them. */
  | 'FOLDED_IN'
  /** Ranked by the active model for this user. */
  | 'PERSONALIZED'
  /** Ranked by the Bayesian average rating of every product: the user is new to the model, or no model is trained yet. */
  | 'POPULAR'
  /** Asked with rules.trending and new to the model: the trending products first, then the popular ranking. */
  | 'TRENDING'
  /** Viewed by the same shoppers close in time to the product asked about (productsViewedTogether). */
  | 'VIEWED_TOGETHER';

/** What an API key may do. Each role may do everything the roles before it may. */
export type Role =
  /** Also training, activation, API keys and the registry's internals. */
  | 'ADMIN'
  /** The shop's servers: also users and their attributes, ratings, similar users, and writes of users, products and ratings. */
  | 'BACKEND'
  /** Safe to ship in a browser: the catalog, recommendations, scores, similar products. Callers without a key have this role unless PUBLIC_READS=false. */
  | 'FRONTEND';

export type RunMetrics = {
  __typename?: 'RunMetrics';
  baseline: EvalMetrics;
  /** Ranking quality over the whole catalog: each held-out user's top `k` of every product they had not interacted with in training, against what was held out for them. Null for runs recorded before this was kept. */
  catalog?: Maybe<CatalogMetrics>;
  network: EvalMetrics;
  /** A held-out rating at or above this counted as relevant for precision, recall and NDCG. */
  relevanceThreshold: Scalars['Float']['output'];
  /** Why each network stopped training: EPOCHS (all of them), PATIENCE (no better validation RMSE for a while) or BUDGET (TRAINING_BUDGET_S). Empty for runs recorded before this was kept. */
  stopped: Array<StopReason>;
  validationRatings: Scalars['Int']['output'];
};

export type RunProgress = {
  __typename?: 'RunProgress';
  batch?: Maybe<Scalars['Int']['output']>;
  batches?: Maybe<Scalars['Int']['output']>;
  epoch?: Maybe<Scalars['Int']['output']>;
  epochs?: Maybe<Scalars['Int']['output']>;
  /** Seconds left, at the pace so far: of the current epoch while training, of the scoring while scoring. */
  etaSeconds?: Maybe<Scalars['Int']['output']>;
  loss?: Maybe<Scalars['Float']['output']>;
  /** While training: which network of the ensemble (1-based), of how many. */
  member?: Maybe<Scalars['Int']['output']>;
  members?: Maybe<Scalars['Int']['output']>;
  of?: Maybe<Scalars['Int']['output']>;
  /** starting, load, train, evaluate, score, writeBack or swap. */
  phase: Scalars['String']['output'];
  scored?: Maybe<Scalars['Int']['output']>;
  valRmse?: Maybe<Scalars['Float']['output']>;
};

export type RunStatus =
  | 'FAILED'
  | 'QUEUED'
  | 'REJECTED'
  | 'RUNNING'
  | 'SUCCEEDED';

export type RunTrigger =
  | 'ADMIN'
  | 'CLI'
  | 'SCHEDULE'
  /** A trial of a hyper-parameter search (tune): evaluated and kept, never served. */
  | 'TUNING';

export type ScoredProduct = {
  __typename?: 'ScoredProduct';
  product: Product;
  /** What the list is ordered by, as for Recommendation.rankScore. */
  rankScore: Scalars['Float']['output'];
  reason: RecommendationReason;
  /** The predicted rating (or, for a popular list, the Bayesian average rating). */
  score: Scalars['Float']['output'];
};

export type ScoredProductConnection = {
  __typename?: 'ScoredProductConnection';
  edges: Array<ScoredProductEdge>;
  pageInfo: PageInfo;
  /** How many products the user has not rated (in the category, when given). */
  totalCount: Scalars['Int']['output'];
};

export type ScoredProductEdge = {
  __typename?: 'ScoredProductEdge';
  cursor: Scalars['String']['output'];
  node: ScoredProduct;
};

export type ShopStats = {
  __typename?: 'ShopStats';
  events: Scalars['Int']['output'];
  /** One entry per day, oldest first, today last; days without arrivals have zeros. */
  growth: Array<DayGrowth>;
  products: Scalars['Int']['output'];
  ratings: Scalars['Int']['output'];
  users: Scalars['Int']['output'];
};

export type SimilarProduct = {
  __typename?: 'SimilarProduct';
  product: Product;
  /** Cosine similarity of the two products' embeddings, in [-1, 1]. */
  similarity: Scalars['Float']['output'];
};

export type SimilarUser = {
  __typename?: 'SimilarUser';
  /** Cosine similarity of the two users' embeddings, in [-1, 1]. */
  similarity: Scalars['Float']['output'];
  user: User;
};

export type StopReason =
  | 'BUDGET'
  | 'EPOCHS'
  | 'PATIENCE'
  /** A tuning trial whose best validation RMSE fell behind the median of the earlier trials' at the same epoch. */
  | 'PRUNED';

/** Overrides of the ranking network's hyper-parameters for one run; omitted fields keep their defaults. */
export type TrainingConfigInput = {
  batchSize?: InputMaybe<Scalars['Int']['input']>;
  /** Add the dot product of the user and product vectors to the output (with interactionHistory, SVD++'s form). On by default, up to historyMaxInteractions. */
  dotProduct?: InputMaybe<Scalars['Boolean']['input']>;
  dropout?: InputMaybe<Scalars['Float']['input']>;
  /** Stop after this many epochs without a better validation RMSE (0 = never). */
  earlyStoppingPatience?: InputMaybe<Scalars['Int']['input']>;
  embeddingDim?: InputMaybe<Scalars['Int']['input']>;
  /** Networks trained from different seeds whose predictions are averaged (1 to 8); training and scoring do this many times the work, shared out over threads. */
  ensembleSize?: InputMaybe<Scalars['Int']['input']>;
  /** An epoch trains on at most this many rows of successive shuffled passes (0 = whole passes; default 2,000,000): a large shop is validated and stopped early every this many rows. */
  epochRows?: InputMaybe<Scalars['Int']['input']>;
  epochs?: InputMaybe<Scalars['Int']['input']>;
  /** How much each kind of event counts as liking the product, 0 (ignored) to 1 (as the top rating); omitted types keep their defaults (view 0.4, cart 0.7, wishlist 0.6, purchase 1). */
  eventWeights?: InputMaybe<EventWeightsInput>;
  /** Learn an embedding for each feature token of users (age bucket, gender, occupation, postcode prefix, other short attribute values) and products (category, genres, price bucket, release decade, …), added to the id embedding; onnxruntime only. On by default. */
  features?: InputMaybe<Scalars['Boolean']['input']>;
  /** Past this many training interactions a run trains without interactionHistory and dotProduct (0 = no limit, the default). */
  historyMaxInteractions?: InputMaybe<Scalars['Int']['input']>;
  /** Add to each user's vector the pooled embeddings of the products they were trained on, and to each product's those of its users (SVD++-style implicit feedback); onnxruntime only. On by default, up to historyMaxInteractions. */
  interactionHistory?: InputMaybe<Scalars['Boolean']['input']>;
  /** L2 penalty on the embeddings used in a batch. */
  l2?: InputMaybe<Scalars['Float']['input']>;
  /** L2 penalty on the dense kernels. */
  l2Dense?: InputMaybe<Scalars['Float']['input']>;
  /** The step size from 1,000,000 training rows on (default 0.001); between the two sizes the rate moves log-linearly. A run records the rate it used. */
  largeShopLearningRate?: InputMaybe<Scalars['Float']['input']>;
  layerSizes?: InputMaybe<Array<Scalars['Int']['input']>>;
  /** The optimizer's step size on a shop of up to 100,000 training rows (default 0.004). */
  learningRate?: InputMaybe<Scalars['Float']['input']>;
  learningRateDecay?: InputMaybe<Scalars['Float']['input']>;
  /** An epoch counts as better, for patience, when its validation RMSE is at least this share below the last one that did (default 0.001); the best weights are kept whatever the gain. */
  minImprovement?: InputMaybe<Scalars['Float']['input']>;
  /** Products the user never touched, trained on as the lowest rating, for each pair learnt from events (0 to 50). */
  negativesPerEvent?: InputMaybe<Scalars['Int']['input']>;
  optimizer?: InputMaybe<Optimizer>;
  /** Also stop once this many ratings were trained on without a better validation RMSE (at least two epochs; 0 = epochs only). */
  patienceRatings?: InputMaybe<Scalars['Int']['input']>;
  seed?: InputMaybe<Scalars['Int']['input']>;
  /** Add global mean + user and product biases to the network's output. */
  useBias?: InputMaybe<Scalars['Boolean']['input']>;
  validationFraction?: InputMaybe<Scalars['Float']['input']>;
};

export type TrainingSchedule = {
  __typename?: 'TrainingSchedule';
  cron: Scalars['String']['output'];
  nextRunAt: Scalars['DateTime']['output'];
  timezone: Scalars['String']['output'];
};

export type TuneInput = {
  /** Settings every trial uses, under the searched ones (trials train one network unless this or the space sets ensembleSize). */
  base?: InputMaybe<TrainingConfigInput>;
  /** No trial starts after this many seconds, and the running one stops at an epoch boundary before. */
  budgetSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** What is optimised: rmse (default) or mae on the validation split, lower is better; ndcg, catalog NDCG@10, higher is better. */
  metric?: InputMaybe<Scalars['String']['input']>;
  /** The random search's seed (default: random). */
  seed?: InputMaybe<Scalars['Int']['input']>;
  /** Parameters to search: {"learningRate": {"min": 0.0005, "max": 0.005, "log": true}, "embeddingDim": {"values": [16, 32, 64]}, …}. Default: learningRate, dropout, hiddenDropout, l2 and embeddingDim. */
  space?: InputMaybe<Scalars['JSON']['input']>;
  /** How many trials, 1 to 100 (the first is the default configuration). */
  trials: Scalars['Int']['input'];
};

export type TuningSearch = {
  __typename?: 'TuningSearch';
  /** The trial with the best metric. */
  best?: Maybe<ModelRun>;
  budgetSeconds?: Maybe<Scalars['Int']['output']>;
  createdAt: Scalars['DateTime']['output'];
  /** The trial of the configuration that was the default when the search started. */
  default?: Maybe<ModelRun>;
  error?: Maybe<Scalars['String']['output']>;
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** The best trial's metric less the default's (negative is better for rmse and mae, positive for ndcg). */
  margin?: Maybe<Scalars['Float']['output']>;
  metric: Scalars['String']['output'];
  /** Its trials so far, first to last. */
  runs: Array<ModelRun>;
  /** { base, parameters }: the settings every trial used and the space searched. */
  space: Scalars['JSON']['output'];
  /** RUNNING, SUCCEEDED or FAILED. */
  status: Scalars['String']['output'];
  trials: Scalars['Int']['output'];
};

export type UpsertProductInput = {
  attributes?: InputMaybe<Scalars['JSON']['input']>;
  /** false takes the product out of every list at once (sold out, withdrawn); omitted keeps the stored value (true for a new product). */
  available?: InputMaybe<Scalars['Boolean']['input']>;
  category?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
  name: Scalars['String']['input'];
  price?: InputMaybe<Scalars['Float']['input']>;
  /** Bought again by the same shopper (consumables): a purchase then does not take it out of their lists. Omitted keeps the stored value (false for a new product). */
  repurchasable?: InputMaybe<Scalars['Boolean']['input']>;
};

export type UpsertUserInput = {
  /** Free-form attributes such as age, gender, location. */
  attributes?: InputMaybe<Scalars['JSON']['input']>;
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
};

export type User = {
  __typename?: 'User';
  attributes: Scalars['JSON']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name?: Maybe<Scalars['String']['output']>;
  /** This user's ratings, newest first. */
  ratings: RatingConnection;
  /** Same as Query.recommendations for this user; batched across users in one statement. */
  recommendations: Array<Recommendation>;
  /** Made by its first event, not by the shop (a visitor id from a browser); upsertUser or mergeVisitor ends that. */
  visitor: Scalars['Boolean']['output'];
};


export type UserRatingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type UserRecommendationsArgs = {
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  rules?: InputMaybe<ListRules>;
};

export type UserConnection = {
  __typename?: 'UserConnection';
  edges: Array<UserEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type UserEdge = {
  __typename?: 'UserEdge';
  cursor: Scalars['String']['output'];
  node: User;
};

export type UserRecommendations = {
  __typename?: 'UserRecommendations';
  recommendations: Array<Recommendation>;
  user: User;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  ApiKey: ResolverTypeWrapper<ApiKeyRow>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CatalogMetrics: ResolverTypeWrapper<CatalogMetrics>;
  CatalogRanking: ResolverTypeWrapper<CatalogRanking>;
  CreatedApiKey: ResolverTypeWrapper<Omit<CreatedApiKey, 'apiKey'> & { apiKey: ResolversTypes['ApiKey'] }>;
  DataProfile: ResolverTypeWrapper<DataProfile>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DayGrowth: ResolverTypeWrapper<DayGrowth>;
  Drift: ResolverTypeWrapper<Drift>;
  DriftMeasure: ResolverTypeWrapper<DriftMeasure>;
  DriftMeasureName: DriftMeasureName;
  EpochStats: ResolverTypeWrapper<EpochStats>;
  EvalMetrics: ResolverTypeWrapper<EvalMetrics>;
  EventInput: EventInput;
  EventType: EventType;
  EventWeightsInput: EventWeightsInput;
  Experiment: ResolverTypeWrapper<ExperimentRow>;
  ExperimentInput: ExperimentInput;
  ExperimentMetric: ExperimentMetric;
  ExperimentStatus: ExperimentStatus;
  ExperimentVariant: ResolverTypeWrapper<VariantResult>;
  ExperimentVariantInput: ExperimentVariantInput;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  HeldOutSplit: HeldOutSplit;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  ListBlend: ResolverTypeWrapper<ListBlend>;
  ListRules: ListRules;
  ModelRun: ResolverTypeWrapper<ModelRunRow>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  OnlineGrouping: OnlineGrouping;
  OnlineMetrics: ResolverTypeWrapper<OnlineMetrics>;
  Optimizer: Optimizer;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PairInput: PairInput;
  Product: ResolverTypeWrapper<ProductRow>;
  ProductConnection: ResolverTypeWrapper<ProductConnectionModel>;
  ProductEdge: ResolverTypeWrapper<Omit<ProductEdge, 'node'> & { node: ResolversTypes['Product'] }>;
  Promotion: ResolverTypeWrapper<PromotionRow>;
  PromotionInput: PromotionInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Rate: ResolverTypeWrapper<Rate>;
  Rating: ResolverTypeWrapper<RatingRow>;
  RatingConnection: ResolverTypeWrapper<RatingConnectionModel>;
  RatingEdge: ResolverTypeWrapper<Omit<RatingEdge, 'node'> & { node: ResolversTypes['Rating'] }>;
  Recommendation: ResolverTypeWrapper<Omit<Recommendation, 'product'> & { product: ResolversTypes['Product'] }>;
  RecommendationReason: RecommendationReason;
  Role: Role;
  RunMetrics: ResolverTypeWrapper<RunMetrics>;
  RunProgress: ResolverTypeWrapper<RunProgress>;
  RunStatus: RunStatus;
  RunTrigger: RunTrigger;
  ScoredProduct: ResolverTypeWrapper<Omit<ScoredProduct, 'product'> & { product: ResolversTypes['Product'] }>;
  ScoredProductConnection: ResolverTypeWrapper<ScoredProductConnectionModel>;
  ScoredProductEdge: ResolverTypeWrapper<Omit<ScoredProductEdge, 'node'> & { node: ResolversTypes['ScoredProduct'] }>;
  ShopStats: ResolverTypeWrapper<ShopStats>;
  SimilarProduct: ResolverTypeWrapper<Omit<SimilarProduct, 'product'> & { product: ResolversTypes['Product'] }>;
  SimilarUser: ResolverTypeWrapper<Omit<SimilarUser, 'user'> & { user: ResolversTypes['User'] }>;
  StopReason: StopReason;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  TrainingConfigInput: TrainingConfigInput;
  TrainingSchedule: ResolverTypeWrapper<TrainingSchedule>;
  TuneInput: TuneInput;
  TuningSearch: ResolverTypeWrapper<TuningSearchRow>;
  UpsertProductInput: UpsertProductInput;
  UpsertUserInput: UpsertUserInput;
  User: ResolverTypeWrapper<UserRow>;
  UserConnection: ResolverTypeWrapper<UserConnectionModel>;
  UserEdge: ResolverTypeWrapper<Omit<UserEdge, 'node'> & { node: ResolversTypes['User'] }>;
  UserRecommendations: ResolverTypeWrapper<Omit<UserRecommendations, 'recommendations' | 'user'> & { recommendations: Array<ResolversTypes['Recommendation']>, user: ResolversTypes['User'] }>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ApiKey: ApiKeyRow;
  Boolean: Scalars['Boolean']['output'];
  CatalogMetrics: CatalogMetrics;
  CatalogRanking: CatalogRanking;
  CreatedApiKey: Omit<CreatedApiKey, 'apiKey'> & { apiKey: ResolversParentTypes['ApiKey'] };
  DataProfile: DataProfile;
  DateTime: Scalars['DateTime']['output'];
  DayGrowth: DayGrowth;
  Drift: Drift;
  DriftMeasure: DriftMeasure;
  EpochStats: EpochStats;
  EvalMetrics: EvalMetrics;
  EventInput: EventInput;
  EventWeightsInput: EventWeightsInput;
  Experiment: ExperimentRow;
  ExperimentInput: ExperimentInput;
  ExperimentVariant: VariantResult;
  ExperimentVariantInput: ExperimentVariantInput;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  ListBlend: ListBlend;
  ListRules: ListRules;
  ModelRun: ModelRunRow;
  Mutation: Record<PropertyKey, never>;
  OnlineMetrics: OnlineMetrics;
  PageInfo: PageInfo;
  PairInput: PairInput;
  Product: ProductRow;
  ProductConnection: ProductConnectionModel;
  ProductEdge: Omit<ProductEdge, 'node'> & { node: ResolversParentTypes['Product'] };
  Promotion: PromotionRow;
  PromotionInput: PromotionInput;
  Query: Record<PropertyKey, never>;
  Rate: Rate;
  Rating: RatingRow;
  RatingConnection: RatingConnectionModel;
  RatingEdge: Omit<RatingEdge, 'node'> & { node: ResolversParentTypes['Rating'] };
  Recommendation: Omit<Recommendation, 'product'> & { product: ResolversParentTypes['Product'] };
  RunMetrics: RunMetrics;
  RunProgress: RunProgress;
  ScoredProduct: Omit<ScoredProduct, 'product'> & { product: ResolversParentTypes['Product'] };
  ScoredProductConnection: ScoredProductConnectionModel;
  ScoredProductEdge: Omit<ScoredProductEdge, 'node'> & { node: ResolversParentTypes['ScoredProduct'] };
  ShopStats: ShopStats;
  SimilarProduct: Omit<SimilarProduct, 'product'> & { product: ResolversParentTypes['Product'] };
  SimilarUser: Omit<SimilarUser, 'user'> & { user: ResolversParentTypes['User'] };
  String: Scalars['String']['output'];
  TrainingConfigInput: TrainingConfigInput;
  TrainingSchedule: TrainingSchedule;
  TuneInput: TuneInput;
  TuningSearch: TuningSearchRow;
  UpsertProductInput: UpsertProductInput;
  UpsertUserInput: UpsertUserInput;
  User: UserRow;
  UserConnection: UserConnectionModel;
  UserEdge: Omit<UserEdge, 'node'> & { node: ResolversParentTypes['User'] };
  UserRecommendations: Omit<UserRecommendations, 'recommendations' | 'user'> & { recommendations: Array<ResolversParentTypes['Recommendation']>, user: ResolversParentTypes['User'] };
}>;

export type AccessDirectiveArgs = {
  role: Role;
  visitor?: Maybe<Scalars['Boolean']['input']>;
};

export type AccessDirectiveResolver<Result, Parent, ContextType = ApiContext, Args = AccessDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type ApiKeyResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ApiKey'] = ResolversParentTypes['ApiKey']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  prefix?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
}>;

export type CatalogMetricsResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['CatalogMetrics'] = ResolversParentTypes['CatalogMetrics']> = ResolversObject<{
  baseline?: Resolver<ResolversTypes['CatalogRanking'], ParentType, ContextType>;
  blend?: Resolver<Maybe<ResolversTypes['ListBlend']>, ParentType, ContextType>;
  k?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  network?: Resolver<ResolversTypes['CatalogRanking'], ParentType, ContextType>;
  popularity?: Resolver<ResolversTypes['CatalogRanking'], ParentType, ContextType>;
  products?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  selection?: Resolver<Maybe<ResolversTypes['CatalogRanking']>, ParentType, ContextType>;
  served?: Resolver<Maybe<ResolversTypes['CatalogRanking']>, ParentType, ContextType>;
  split?: Resolver<ResolversTypes['HeldOutSplit'], ParentType, ContextType>;
  users?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type CatalogRankingResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['CatalogRanking'] = ResolversParentTypes['CatalogRanking']> = ResolversObject<{
  coverage?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  f1?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  hitRate?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  ndcg?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  precision?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  recall?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
}>;

export type CreatedApiKeyResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['CreatedApiKey'] = ResolversParentTypes['CreatedApiKey']> = ResolversObject<{
  apiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
  key?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type DataProfileResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['DataProfile'] = ResolversParentTypes['DataProfile']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  categories?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  events?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  meanRating?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  newProducts?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  newUsers?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  products?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ratings?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  stars?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  users?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DayGrowthResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['DayGrowth'] = ResolversParentTypes['DayGrowth']> = ResolversObject<{
  day?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  events?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  products?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ratings?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  users?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type DriftResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Drift'] = ResolversParentTypes['Drift']> = ResolversObject<{
  arrived?: Resolver<ResolversTypes['DataProfile'], ParentType, ContextType>;
  checkedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  exceeded?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  measures?: Resolver<Array<ResolversTypes['DriftMeasure']>, ParentType, ContextType>;
  runId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  trainedOn?: Resolver<ResolversTypes['DataProfile'], ParentType, ContextType>;
}>;

export type DriftMeasureResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['DriftMeasure'] = ResolversParentTypes['DriftMeasure']> = ResolversObject<{
  exceeded?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  limit?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['DriftMeasureName'], ParentType, ContextType>;
  value?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
}>;

export type EpochStatsResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['EpochStats'] = ResolversParentTypes['EpochStats']> = ResolversObject<{
  epoch?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  epochs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  loss?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  member?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  seconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  trainRmse?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  valRmse?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
}>;

export type EvalMetricsResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['EvalMetrics'] = ResolversParentTypes['EvalMetrics']> = ResolversObject<{
  mae?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  ndcgAt10?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  precisionAt10?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  recallAt10?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  rmse?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type ExperimentResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Experiment'] = ResolversParentTypes['Experiment']> = ResolversObject<{
  alpha?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  metric?: Resolver<ResolversTypes['ExperimentMetric'], ParentType, ContextType>;
  minDetectableEffect?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  promotedRunId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ExperimentStatus'], ParentType, ContextType>;
  stoppedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  variants?: Resolver<Array<ResolversTypes['ExperimentVariant']>, ParentType, ContextType>;
  winner?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ExperimentVariantResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ExperimentVariant'] = ResolversParentTypes['ExperimentVariant']> = ResolversObject<{
  difference?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  differenceHigh?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  differenceLow?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  impressions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lists?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  pValue?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  runId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  share?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  users?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  usersNeeded?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  value?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type ListBlendResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ListBlend'] = ResolversParentTypes['ListBlend']> = ResolversObject<{
  degrees?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lowPassRank?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lowPassWeight?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  selectionLambda?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  selectionRank?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  showsSeen?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type ModelRunResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ModelRun'] = ResolversParentTypes['ModelRun']> = ResolversObject<{
  active?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  artifactPath?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  backend?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  config?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  dataCounts?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  forced?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  history?: Resolver<Array<ResolversTypes['EpochStats']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  matrix?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  metrics?: Resolver<Maybe<ResolversTypes['RunMetrics']>, ParentType, ContextType>;
  phases?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  progress?: Resolver<Maybe<ResolversTypes['RunProgress']>, ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  searchId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['RunStatus'], ParentType, ContextType>;
  trigger?: Resolver<ResolversTypes['RunTrigger'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  activateModel?: Resolver<Maybe<ResolversTypes['ModelRun']>, ParentType, ContextType, RequireFields<MutationActivateModelArgs, 'id'>>;
  createApiKey?: Resolver<Maybe<ResolversTypes['CreatedApiKey']>, ParentType, ContextType, RequireFields<MutationCreateApiKeyArgs, 'name' | 'role'>>;
  createVisitorToken?: Resolver<ResolversTypes['String'], ParentType, ContextType, RequireFields<MutationCreateVisitorTokenArgs, 'userId'>>;
  deleteProduct?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType, RequireFields<MutationDeleteProductArgs, 'id'>>;
  deleteRating?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType, RequireFields<MutationDeleteRatingArgs, 'productId' | 'userId'>>;
  deleteUser?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType, RequireFields<MutationDeleteUserArgs, 'id'>>;
  endPromotion?: Resolver<Maybe<ResolversTypes['Promotion']>, ParentType, ContextType, RequireFields<MutationEndPromotionArgs, 'id'>>;
  mergeVisitor?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType, RequireFields<MutationMergeVisitorArgs, 'userId' | 'visitorId'>>;
  promoteConfig?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType, RequireFields<MutationPromoteConfigArgs, 'runId'>>;
  rateProduct?: Resolver<Maybe<ResolversTypes['Rating']>, ParentType, ContextType, RequireFields<MutationRateProductArgs, 'productId' | 'rating' | 'userId'>>;
  recordEvents?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType, RequireFields<MutationRecordEventsArgs, 'events'>>;
  retrain?: Resolver<Maybe<ResolversTypes['ModelRun']>, ParentType, ContextType, Partial<MutationRetrainArgs>>;
  revokeApiKey?: Resolver<Maybe<ResolversTypes['ApiKey']>, ParentType, ContextType, RequireFields<MutationRevokeApiKeyArgs, 'id'>>;
  setPromotion?: Resolver<Maybe<ResolversTypes['Promotion']>, ParentType, ContextType, RequireFields<MutationSetPromotionArgs, 'input'>>;
  startExperiment?: Resolver<Maybe<ResolversTypes['Experiment']>, ParentType, ContextType, RequireFields<MutationStartExperimentArgs, 'input'>>;
  stopExperiment?: Resolver<Maybe<ResolversTypes['Experiment']>, ParentType, ContextType, RequireFields<MutationStopExperimentArgs, 'id' | 'promote'>>;
  tune?: Resolver<Maybe<ResolversTypes['TuningSearch']>, ParentType, ContextType, RequireFields<MutationTuneArgs, 'input'>>;
  upsertProduct?: Resolver<Maybe<ResolversTypes['Product']>, ParentType, ContextType, RequireFields<MutationUpsertProductArgs, 'input'>>;
  upsertProducts?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType, RequireFields<MutationUpsertProductsArgs, 'inputs'>>;
  upsertUser?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType, RequireFields<MutationUpsertUserArgs, 'input'>>;
  upsertUsers?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType, RequireFields<MutationUpsertUsersArgs, 'inputs'>>;
}>;

export type OnlineMetricsResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['OnlineMetrics'] = ResolversParentTypes['OnlineMetrics']> = ResolversObject<{
  addToCart?: Resolver<ResolversTypes['Rate'], ParentType, ContextType>;
  carts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  clickThrough?: Resolver<ResolversTypes['Rate'], ParentType, ContextType>;
  conversion?: Resolver<ResolversTypes['Rate'], ParentType, ContextType>;
  group?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  impressions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lists?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  purchases?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  revenue?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  views?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type ProductResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product']> = ResolversObject<{
  attributes?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  available?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  category?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  price?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  ratings?: Resolver<ResolversTypes['RatingConnection'], ParentType, ContextType, Partial<ProductRatingsArgs>>;
  repurchasable?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type ProductConnectionResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ProductConnection'] = ResolversParentTypes['ProductConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ProductEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ProductEdgeResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ProductEdge'] = ResolversParentTypes['ProductEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
}>;

export type PromotionResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Promotion'] = ResolversParentTypes['Promotion']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  endedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  endsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  factor?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  products?: Resolver<Array<ResolversTypes['Product']>, ParentType, ContextType>;
  startsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  activeModel?: Resolver<Maybe<ResolversTypes['ModelRun']>, ParentType, ContextType>;
  apiKeys?: Resolver<Array<ResolversTypes['ApiKey']>, ParentType, ContextType>;
  drift?: Resolver<Maybe<ResolversTypes['Drift']>, ParentType, ContextType>;
  experiment?: Resolver<Maybe<ResolversTypes['Experiment']>, ParentType, ContextType, RequireFields<QueryExperimentArgs, 'id'>>;
  experiments?: Resolver<Array<ResolversTypes['Experiment']>, ParentType, ContextType>;
  modelRun?: Resolver<Maybe<ResolversTypes['ModelRun']>, ParentType, ContextType, RequireFields<QueryModelRunArgs, 'id'>>;
  modelRuns?: Resolver<Array<ResolversTypes['ModelRun']>, ParentType, ContextType, Partial<QueryModelRunsArgs>>;
  onlineMetrics?: Resolver<Array<ResolversTypes['OnlineMetrics']>, ParentType, ContextType, RequireFields<QueryOnlineMetricsArgs, 'from' | 'groupBy' | 'to'>>;
  popularProducts?: Resolver<Array<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<QueryPopularProductsArgs, 'first'>>;
  product?: Resolver<Maybe<ResolversTypes['Product']>, ParentType, ContextType, RequireFields<QueryProductArgs, 'id'>>;
  products?: Resolver<ResolversTypes['ProductConnection'], ParentType, ContextType, Partial<QueryProductsArgs>>;
  productsBoughtTogether?: Resolver<Array<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<QueryProductsBoughtTogetherArgs, 'first' | 'productId'>>;
  productsViewedTogether?: Resolver<Array<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<QueryProductsViewedTogetherArgs, 'first' | 'productId'>>;
  promotions?: Resolver<Array<ResolversTypes['Promotion']>, ParentType, ContextType>;
  recommendations?: Resolver<Array<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<QueryRecommendationsArgs, 'first' | 'userId'>>;
  recommendationsForUsers?: Resolver<Array<ResolversTypes['UserRecommendations']>, ParentType, ContextType, RequireFields<QueryRecommendationsForUsersArgs, 'first' | 'userIds'>>;
  score?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType, RequireFields<QueryScoreArgs, 'productId' | 'userId'>>;
  scores?: Resolver<Array<Maybe<ResolversTypes['Float']>>, ParentType, ContextType, RequireFields<QueryScoresArgs, 'pairs'>>;
  shopStats?: Resolver<ResolversTypes['ShopStats'], ParentType, ContextType, Partial<QueryShopStatsArgs>>;
  similarProducts?: Resolver<Array<ResolversTypes['SimilarProduct']>, ParentType, ContextType, RequireFields<QuerySimilarProductsArgs, 'first' | 'productId'>>;
  similarUsers?: Resolver<Array<ResolversTypes['SimilarUser']>, ParentType, ContextType, RequireFields<QuerySimilarUsersArgs, 'first' | 'userId'>>;
  trainingDefaults?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  trainingSchedule?: Resolver<Maybe<ResolversTypes['TrainingSchedule']>, ParentType, ContextType>;
  trendingProducts?: Resolver<Array<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<QueryTrendingProductsArgs, 'first'>>;
  tuningSearch?: Resolver<Maybe<ResolversTypes['TuningSearch']>, ParentType, ContextType, RequireFields<QueryTuningSearchArgs, 'id'>>;
  tuningSearches?: Resolver<Array<ResolversTypes['TuningSearch']>, ParentType, ContextType, Partial<QueryTuningSearchesArgs>>;
  unratedProductScores?: Resolver<ResolversTypes['ScoredProductConnection'], ParentType, ContextType, RequireFields<QueryUnratedProductScoresArgs, 'userId'>>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType, RequireFields<QueryUserArgs, 'id'>>;
  users?: Resolver<ResolversTypes['UserConnection'], ParentType, ContextType, Partial<QueryUsersArgs>>;
}>;

export type RateResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Rate'] = ResolversParentTypes['Rate']> = ResolversObject<{
  high?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  low?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type RatingResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Rating'] = ResolversParentTypes['Rating']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type RatingConnectionResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['RatingConnection'] = ResolversParentTypes['RatingConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['RatingEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type RatingEdgeResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['RatingEdge'] = ResolversParentTypes['RatingEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Rating'], ParentType, ContextType>;
}>;

export type RecommendationResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Recommendation'] = ResolversParentTypes['Recommendation']> = ResolversObject<{
  boosted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  position?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  rank?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rankScore?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['RecommendationReason'], ParentType, ContextType>;
  recommendationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type RunMetricsResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['RunMetrics'] = ResolversParentTypes['RunMetrics']> = ResolversObject<{
  baseline?: Resolver<ResolversTypes['EvalMetrics'], ParentType, ContextType>;
  catalog?: Resolver<Maybe<ResolversTypes['CatalogMetrics']>, ParentType, ContextType>;
  network?: Resolver<ResolversTypes['EvalMetrics'], ParentType, ContextType>;
  relevanceThreshold?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  stopped?: Resolver<Array<ResolversTypes['StopReason']>, ParentType, ContextType>;
  validationRatings?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type RunProgressResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['RunProgress'] = ResolversParentTypes['RunProgress']> = ResolversObject<{
  batch?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  batches?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  epoch?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  epochs?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  etaSeconds?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  loss?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  member?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  members?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  of?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  phase?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  scored?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  valRmse?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
}>;

export type ScoredProductResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ScoredProduct'] = ResolversParentTypes['ScoredProduct']> = ResolversObject<{
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  rankScore?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['RecommendationReason'], ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type ScoredProductConnectionResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ScoredProductConnection'] = ResolversParentTypes['ScoredProductConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ScoredProductEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ScoredProductEdgeResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ScoredProductEdge'] = ResolversParentTypes['ScoredProductEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ScoredProduct'], ParentType, ContextType>;
}>;

export type ShopStatsResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ShopStats'] = ResolversParentTypes['ShopStats']> = ResolversObject<{
  events?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  growth?: Resolver<Array<ResolversTypes['DayGrowth']>, ParentType, ContextType>;
  products?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ratings?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  users?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type SimilarProductResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['SimilarProduct'] = ResolversParentTypes['SimilarProduct']> = ResolversObject<{
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  similarity?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type SimilarUserResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['SimilarUser'] = ResolversParentTypes['SimilarUser']> = ResolversObject<{
  similarity?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export type TrainingScheduleResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['TrainingSchedule'] = ResolversParentTypes['TrainingSchedule']> = ResolversObject<{
  cron?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  nextRunAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  timezone?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type TuningSearchResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['TuningSearch'] = ResolversParentTypes['TuningSearch']> = ResolversObject<{
  best?: Resolver<Maybe<ResolversTypes['ModelRun']>, ParentType, ContextType>;
  budgetSeconds?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  default?: Resolver<Maybe<ResolversTypes['ModelRun']>, ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  margin?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  metric?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  runs?: Resolver<Array<ResolversTypes['ModelRun']>, ParentType, ContextType>;
  space?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  trials?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type UserResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = ResolversObject<{
  attributes?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  ratings?: Resolver<ResolversTypes['RatingConnection'], ParentType, ContextType, Partial<UserRatingsArgs>>;
  recommendations?: Resolver<Array<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<UserRecommendationsArgs, 'first'>>;
  visitor?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type UserConnectionResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['UserConnection'] = ResolversParentTypes['UserConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['UserEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type UserEdgeResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['UserEdge'] = ResolversParentTypes['UserEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export type UserRecommendationsResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['UserRecommendations'] = ResolversParentTypes['UserRecommendations']> = ResolversObject<{
  recommendations?: Resolver<Array<ResolversTypes['Recommendation']>, ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = ApiContext> = ResolversObject<{
  ApiKey?: ApiKeyResolvers<ContextType>;
  CatalogMetrics?: CatalogMetricsResolvers<ContextType>;
  CatalogRanking?: CatalogRankingResolvers<ContextType>;
  CreatedApiKey?: CreatedApiKeyResolvers<ContextType>;
  DataProfile?: DataProfileResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DayGrowth?: DayGrowthResolvers<ContextType>;
  Drift?: DriftResolvers<ContextType>;
  DriftMeasure?: DriftMeasureResolvers<ContextType>;
  EpochStats?: EpochStatsResolvers<ContextType>;
  EvalMetrics?: EvalMetricsResolvers<ContextType>;
  Experiment?: ExperimentResolvers<ContextType>;
  ExperimentVariant?: ExperimentVariantResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  ListBlend?: ListBlendResolvers<ContextType>;
  ModelRun?: ModelRunResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  OnlineMetrics?: OnlineMetricsResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  ProductConnection?: ProductConnectionResolvers<ContextType>;
  ProductEdge?: ProductEdgeResolvers<ContextType>;
  Promotion?: PromotionResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Rate?: RateResolvers<ContextType>;
  Rating?: RatingResolvers<ContextType>;
  RatingConnection?: RatingConnectionResolvers<ContextType>;
  RatingEdge?: RatingEdgeResolvers<ContextType>;
  Recommendation?: RecommendationResolvers<ContextType>;
  RunMetrics?: RunMetricsResolvers<ContextType>;
  RunProgress?: RunProgressResolvers<ContextType>;
  ScoredProduct?: ScoredProductResolvers<ContextType>;
  ScoredProductConnection?: ScoredProductConnectionResolvers<ContextType>;
  ScoredProductEdge?: ScoredProductEdgeResolvers<ContextType>;
  ShopStats?: ShopStatsResolvers<ContextType>;
  SimilarProduct?: SimilarProductResolvers<ContextType>;
  SimilarUser?: SimilarUserResolvers<ContextType>;
  TrainingSchedule?: TrainingScheduleResolvers<ContextType>;
  TuningSearch?: TuningSearchResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
  UserConnection?: UserConnectionResolvers<ContextType>;
  UserEdge?: UserEdgeResolvers<ContextType>;
  UserRecommendations?: UserRecommendationsResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = ApiContext> = ResolversObject<{
  access?: AccessDirectiveResolver<any, any, ContextType>;
}>;
