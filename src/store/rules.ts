// The rules every write obeys, whether it comes through the API or an import:
// one definition so that the two can never disagree.

export const MAX_ID_LENGTH = 128;
export const MAX_NAME_LENGTH = 256;
export const MAX_CATEGORY_LENGTH = 128;

export interface RatingScale {
  ratingMin: number;
  ratingMax: number;
  /** Allowed ratings are ratingMin + k * ratingStep. */
  ratingStep: number;
}

export const DEFAULT_SCALE: RatingScale = { ratingMin: 1, ratingMax: 5, ratingStep: 0.5 };

/** Why `value` is not an acceptable rating, or null when it is. */
export function ratingProblem(value: unknown, scale: RatingScale): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `rating must be a number, got ${JSON.stringify(value)}`;
  if (value < scale.ratingMin || value > scale.ratingMax) {
    return `rating must be between ${scale.ratingMin} and ${scale.ratingMax}, got ${value}`;
  }
  const steps = (value - scale.ratingMin) / scale.ratingStep;
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    return `rating must be in steps of ${scale.ratingStep} from ${scale.ratingMin}, got ${value}`;
  }
  return null;
}

/** Why `id` is not an acceptable external id, or null when it is. */
export function idProblem(id: unknown, what = 'id'): string | null {
  if (typeof id !== 'string') return `${what} must be a string`;
  if (id.trim().length === 0) return `${what} must not be empty`;
  if (id.length > MAX_ID_LENGTH) return `${what} must be at most ${MAX_ID_LENGTH} characters, got ${id.length}`;
  return null;
}

export function textProblem(text: unknown, what: string, max: number, required: boolean): string | null {
  if (text === null || text === undefined) return required ? `${what} is required` : null;
  if (typeof text !== 'string') return `${what} must be a string`;
  if (required && text.trim().length === 0) return `${what} must not be empty`;
  if (text.length > max) return `${what} must be at most ${max} characters, got ${text.length}`;
  return null;
}
