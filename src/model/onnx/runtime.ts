/**
 * onnxruntime-node, loaded on first use. It ships its CPU binaries in the npm package; where it
 * cannot load (another platform, a stripped install) the TensorFlow.js path does the work instead.
 */
import type * as ort from 'onnxruntime-node';

export type Ort = typeof ort;
export type Session = ort.InferenceSession;

let loading: Promise<Ort | null> | null = null;

/** The runtime, or null when it is not installed or does not load here. */
export function loadOnnxRuntime(): Promise<Ort | null> {
  loading ??= import('onnxruntime-node').then(
    (m) => ((m as unknown as { default?: Ort }).default ?? m) as Ort,
    () => null,
  );
  return loading;
}

/** A session on `threads` threads for a serialised model. */
export async function createSession(runtime: Ort, model: Uint8Array, threads = 1): Promise<Session> {
  return runtime.InferenceSession.create(model, {
    intraOpNumThreads: Math.max(1, threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}
