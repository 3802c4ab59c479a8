// What every write must be to be accepted (ids, names, ratings, attributes), whether it comes through the API or
// an import: one definition so that the two can never disagree. Each returns why a value is refused (naming the
// field and the limit), or null when it is acceptable. (Serving rules, what a list leaves out or favours, are src/rules/.)

export const MAX_ID_LENGTH = 128;
export const MAX_NAME_LENGTH = 256;
export const MAX_CATEGORY_LENGTH = 128;
/** How deep `attributes` may nest (objects and arrays), and how large it may be as JSON. */
export const MAX_ATTRIBUTES_DEPTH = 32;
export const MAX_ATTRIBUTES_BYTES = 16_384;

export interface RatingScale {
  ratingMin: number;
  ratingMax: number;
  /** Allowed ratings are ratingMin + k * ratingStep. */
  ratingStep: number;
}

export const DEFAULT_SCALE: RatingScale = { ratingMin: 1, ratingMax: 5, ratingStep: 0.5 };

/** Why `value` is not an acceptable rating, or null when it is. */
export function ratingProblem(value: unknown, scale: RatingScale): string | null {
  if (typeof value !== 'number') return `rating must be a number, got ${JSON.stringify(value)}`;
  // String(): JSON.stringify shows Infinity (a literal such as 1e309) as "null".
  if (!Number.isFinite(value)) return `rating must be a finite number, got ${String(value)}`;
  if (value < scale.ratingMin || value > scale.ratingMax) {
    return `rating must be between ${scale.ratingMin} and ${scale.ratingMax}, got ${value}`;
  }
  const steps = (value - scale.ratingMin) / scale.ratingStep;
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    return `rating must be in steps of ${scale.ratingStep} from ${scale.ratingMin}, got ${value}`;
  }
  return null;
}

// C0 controls and DEL. In free text (attribute values) tab, line feed and carriage return are allowed.
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function controlProblem(text: string, what: string, pattern: RegExp): string | null {
  const match = pattern.exec(text);
  if (!match) return null;
  const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `${what} must not contain control characters (found U+${code} at position ${match.index})`;
}

/**
 * Why `id` is not an acceptable external id, or null when it is. Ids with
 * surrounding whitespace are refused rather than trimmed, so that " a" and "a"
 * can never become two users by accident (the CSV importers trim their cells).
 */
export function idProblem(id: unknown, what = 'id'): string | null {
  if (typeof id !== 'string') return `${what} must be a string`;
  if (id.trim().length === 0) return `${what} must not be empty`;
  if (id.length > MAX_ID_LENGTH) return `${what} must be at most ${MAX_ID_LENGTH} characters, got ${id.length}`;
  if (id.trim() !== id) return `${what} must not start or end with whitespace, got ${JSON.stringify(id)}`;
  return controlProblem(id, what, CONTROL);
}

export function textProblem(text: unknown, what: string, max: number, required: boolean): string | null {
  if (text === null || text === undefined) return required ? `${what} is required` : null;
  if (typeof text !== 'string') return `${what} must be a string`;
  if (required && text.trim().length === 0) return `${what} must not be empty`;
  if (text.length > max) return `${what} must be at most ${max} characters, got ${text.length}`;
  return controlProblem(text, what, CONTROL);
}

/**
 * Why free-form attributes are refused: not an object, nested deeper than
 * MAX_ATTRIBUTES_DEPTH, larger than MAX_ATTRIBUTES_BYTES as JSON, or holding a
 * control character (NUL cannot be stored in PostgreSQL at all) in a key or value.
 * Walks without recursion, so no input can exhaust the stack.
 */
export function attributesProblem(attributes: unknown, what = 'attributes'): string | null {
  if (attributes === null || attributes === undefined) return null;
  if (typeof attributes !== 'object' || Array.isArray(attributes)) return `${what} must be a JSON object`;
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: attributes, depth: 1, path: what }];
  let budget = MAX_ATTRIBUTES_BYTES; // every node costs at least a byte of JSON: bounds the walk too
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (--budget < 0) return `${what} must be at most ${MAX_ATTRIBUTES_BYTES} bytes of JSON`;
    if (typeof value === 'string') {
      const problem = controlProblem(value, path, CONTROL_IN_TEXT);
      if (problem) return problem;
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return `${path} must be a finite number`;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_ATTRIBUTES_DEPTH) return `${what} must nest at most ${MAX_ATTRIBUTES_DEPTH} levels deep`;
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [key, child] of entries) {
      const keyProblem = controlProblem(key, `a key in ${path}`, CONTROL);
      if (keyProblem) return keyProblem;
      stack.push({ value: child, depth: depth + 1, path: Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}` });
    }
  }
  if (Buffer.byteLength(JSON.stringify(attributes)) > MAX_ATTRIBUTES_BYTES) {
    return `${what} must be at most ${MAX_ATTRIBUTES_BYTES} bytes of JSON`;
  }
  return null;
}

/** Events may be stamped a little ahead of the server's clock (another machine's clock); not further. */
export const EVENT_CLOCK_SKEW_MS = 5 * 60_000;

/** Why an event's time or value is refused, or null (ids are checked with idProblem). */
export function eventProblem(event: { at?: Date | null; value?: number | null }, what: string, now = Date.now()): string | null {
  if (event.at != null) {
    const time = event.at.getTime();
    if (!Number.isFinite(time)) return `${what}.at is not a valid date`;
    if (time > now + EVENT_CLOCK_SKEW_MS) return `${what}.at must not be in the future, got ${event.at.toISOString()}`;
  }
  if (event.value != null && !Number.isFinite(event.value)) return `${what}.value must be a finite number, got ${String(event.value)}`;
  return null;
}
