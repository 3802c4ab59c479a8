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
