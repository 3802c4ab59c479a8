// The quality gate: a finished run is served only when it is better than its
// own baseline and not noticeably worse than the model being served now.

export interface GateInput {
  networkRmse: number;
  baselineRmse: number;
  /** Validation RMSE of the active run's network, when one is active. */
  activeRmse: number | null;
  /** Allowed relative worsening against the active model (0.02 = 2 %). */
  tolerance: number;
  forced: boolean;
}

export type GateDecision = { accept: true; reason: string } | { accept: false; reason: string };

export function qualityGate(input: GateInput): GateDecision {
  const { networkRmse, baselineRmse, activeRmse, tolerance } = input;
  if (input.forced) return { accept: true, reason: 'forced: the quality gate was skipped' };
  if (!Number.isFinite(networkRmse)) return { accept: false, reason: `validation RMSE is not a number (${networkRmse})` };
  if (!(networkRmse < baselineRmse)) {
    return {
      accept: false,
      reason: `the network (validation RMSE ${networkRmse.toFixed(4)}) does not beat its baseline (${baselineRmse.toFixed(4)})`,
    };
  }
  if (activeRmse !== null && networkRmse > activeRmse * (1 + tolerance)) {
    return {
      accept: false,
      reason: `validation RMSE ${networkRmse.toFixed(4)} is worse than the active model's ${activeRmse.toFixed(4)} by more than ${(tolerance * 100).toFixed(1)} %`,
    };
  }
  return { accept: true, reason: 'beats its baseline and is within tolerance of the active model' };
}
