// The quality gate: a finished run is served only when it is better than its own baseline, when its lists
// rank better than the most popular products do, and when it is not noticeably worse than the model being
// served now.

export interface GateInput {
  networkRmse: number;
  baselineRmse: number;
  /** Validation RMSE of the active run's network, when one is active. */
  activeRmse: number | null;
  /** Allowed relative worsening against the active model (0.02 = 2 %). */
  tolerance: number;
  forced: boolean;
  /** NDCG@10 of its lists as served and of the popular list, on the validation split's users (null: none had a relevant product). */
  servedNdcg: number | null;
  popularityNdcg: number | null;
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
  const { servedNdcg, popularityNdcg } = input;
  if (servedNdcg !== null && popularityNdcg !== null && Number.isFinite(servedNdcg) && Number.isFinite(popularityNdcg) && servedNdcg < popularityNdcg) {
    return {
      accept: false,
      reason: `its lists rank below the most popular products' (NDCG@10 ${servedNdcg.toFixed(4)} against ${popularityNdcg.toFixed(4)} on the validation split)`,
    };
  }
  if (activeRmse !== null && networkRmse > activeRmse * (1 + tolerance)) {
    return {
      accept: false,
      reason: `validation RMSE ${networkRmse.toFixed(4)} is worse than the active model's ${activeRmse.toFixed(4)} by more than ${(tolerance * 100).toFixed(1)} %`,
    };
  }
  return { accept: true, reason: 'beats its baseline and the most popular products, and is within tolerance of the active model' };
}
