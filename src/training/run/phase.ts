// A run's phases: each one reported as it starts and timed into the run's `phases`, so that the run reads
// as its table of contents and no phase is timed by hand.
import type { Phases, RunEnvironment, RunPhase, RunProgress } from './protocol.js';

export type PhaseRunner = <T>(name: RunPhase, work: () => Promise<T>, progress?: Omit<RunProgress, 'phase'>) => Promise<T>;

/** A phase runner reporting to `env` and timing into `phases` (a phase run twice adds up). */
export function phaseRunner(env: Pick<RunEnvironment, 'onProgress'>, phases: Phases): PhaseRunner {
  return async (name, work, progress = {}) => {
    env.onProgress({ phase: name, ...progress });
    const started = performance.now();
    try {
      return await work();
    } finally {
      phases[name] = Math.round((phases[name] ?? 0) * 1000 + performance.now() - started) / 1000;
    }
  };
}
