/**
 * Kernels that @tensorflow/tfjs-backend-wasm 4.22 does not ship but our model needs.
 *
 * WHY: the gradient of tf.gather (the embedding lookup) is `UnsortedSegmentSum`; the wasm backend
 * has no such kernel, so training any embedding fails with
 * "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'". The cpu backend's version is
 * O(segments × rows) (one pass per segment); a scatter-add is O(rows).
 *
 * The kernels are plain JS loops over the wasm heap (tiny amounts of data: batch × embeddingDim).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface SegmentSumAttrs {
  numSegments: number;
}

/**
 * out[segmentIds[r], :] += x[r, :]   (rows whose id is outside [0, numSegments) are dropped, as in TF).
 * segmentIds may have any rank k; x has shape [...segmentIds.shape, ...inner].
 */
export function unsortedSegmentSumWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as SegmentSumAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): unsupported dtype ${x.dtype}`);
  }
  const idRank = segmentIds.shape.length;
  const innerShape = x.shape.slice(idRank);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  // Allocate first: makeOutput may grow the heap, which detaches earlier typed-array views.
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  const outVals = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const xVals = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const idVals = backend.typedArrayFromHeap(segmentIds) as Int32Array | Float32Array;
  outVals.fill(0);
  for (let r = 0; r < rows; r++) {
    const s = idVals[r];
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j] += xVals[src + j];
  }
  return out;
}

const EXTRA_KERNELS: tf.KernelConfig[] = [
  {
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
  },
];

/** Register the missing wasm kernels (idempotent; never overrides a kernel wasm gains later). */
export function registerWasmExtraKernels(): void {
  for (const k of EXTRA_KERNELS) {
    if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
  }
}
