// The file a worker thread starts from. Compiled (dist/, as `npm start` runs)
// it is the thread's module itself. From the TypeScript sources (tests, CLI,
// benchmarks run them through tsx) it is a small `<module>-entry.mjs` beside
// it, which registers tsx first: threads do not inherit the parent's loader.
export function threadEntry(module: string, base: string): URL {
  return base.endsWith('.ts') ? new URL(`./${module}-entry.mjs`, base) : new URL(`./${module}.js`, base);
}
