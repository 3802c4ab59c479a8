// The full configuration a run uses: the model's hyper-parameters plus how it is judged and written.
import { resolveConfig, type TrainingConfig } from '../../model/config.js';
import type { TrainingSettings } from '../../config.js';
import type { RatingScale } from '../../store/validation.js';

export function resolveRunConfig(overrides: Partial<TrainingConfig>, settings: TrainingSettings, scale: RatingScale) {
  const model = resolveConfig({ ...overrides, minRating: scale.ratingMin, maxRating: scale.ratingMax });
  return {
    model,
    // catalogUsers: the full-catalog evaluation scores every product for this many held-out users at most.
    evaluation: { k: 10, relevanceThreshold: settings.relevanceThreshold, catalogUsers: 2000 },
    gate: { tolerance: settings.gateTolerance },
    matrix: { maxCells: settings.matrixMaxCells, topK: settings.topK },
  };
}
export type RunConfig = ReturnType<typeof resolveRunConfig>;

/**
 * The training budget of a run on `rows` training rows when TRAINING_BUDGET_S is auto: 10 minutes, and 2.5 more a
 * million rows. A nightly job must end, but not before a shop's network has settled: a fixed budget stopped a
 * small events shop's run early and left a large shop's networks a few epochs in.
 */
export function trainingBudgetSeconds(settings: { trainingBudgetMs: number | null }, rows: number): number {
  if (settings.trainingBudgetMs !== null) return settings.trainingBudgetMs / 1000;
  return Math.round(600 + 150 * (rows / 1_000_000));
}
