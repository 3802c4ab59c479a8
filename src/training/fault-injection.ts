// Test-only fault injection, for the tests of what a run does when its thread
// hangs or its network diverges: RECSYS_FAULT lists faults as kind:runId
// (e.g. "hang:1,nan:2"). Unset in production, where this is never true.
export type Fault = 'hang' | 'nan';

export function injectedFault(kind: Fault, runId: number): boolean {
  return (process.env.RECSYS_FAULT ?? '').split(',').some((entry) => entry.trim() === `${kind}:${runId}`);
}
