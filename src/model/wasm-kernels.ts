/**
 * Kernels that @tensorflow/tfjs-backend-wasm 4.22 does not ship but our model needs, and one it
 * ships too slowly.
 *
 * WHY: the gradient of tf.gather (the embedding lookup) is `UnsortedSegmentSum`; the wasm backend
 * has no such kernel, so training any embedding fails with
 * "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'". The cpu backend's version is
 * O(segments × rows) (one pass per segment); a scatter-add is O(rows).
 *
 * WHY GatherV2: the shipped kernel converts every element's index through strides, and a training
 * step makes eight gathers; copying whole slices is an order of magnitude faster (docs/benchmarks.md).
 *
 * The kernels are plain JS loops over the wasm heap (tiny amounts of data: batch × embeddingDim).
 */
import * as tf from './tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface SegmentSumAttrs {
  numSegments: number;
}

/**
 * out[segmentIds[r], :] += x[r, :]   (rows whose id is outside [0, numSegments) are dropped, as in TF).
 * segmentIds may have any rank k; x has shape [...segmentIds.shape, ...inner].
 */
export function unsortedSegmentSumWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
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

interface GatherAttrs {
  axis: number;
  batchDims: number;
}

/**
 * out[b, o, k, :] = x[b, o, indices[b, k], :] (b over the batch dimensions, o over those before the
 * axis), copying whole slices (see the note at the top). It also serves batchDims > 0, which the
 * shipped kernel answers wrongly in 4.22 (gathering [[0,3],[2,1],[1,1]] from a [3, 4] table with
 * batchDims 1 gave [0, 3, 5, 5, 8, garbage]; cpu: [0, 3, 6, 5, 9, 9]).
 */
export function gatherSlicesWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = args.attrs as unknown as GatherAttrs;
  const a = tf.util.parseAxisParam(axis, x.shape)[0];
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.Tensor, indices as tf.Tensor, a, batchDims);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const perBatch = tf.util.sizeFromShape(indices.shape) / batchSize;
  // Allocate first: makeOutput may grow the heap, which detaches earlier typed-array views.
  const out = backend.makeOutput(info.outputShape, x.dtype);
  if (batchSize * outerSize * perBatch * sliceSize === 0) return out;
  const outVals = backend.typedArrayFromHeap(out) as Float32Array | Int32Array | Uint8Array;
  const xVals = backend.typedArrayFromHeap(x) as Float32Array | Int32Array | Uint8Array;
  const idVals = backend.typedArrayFromHeap(indices) as Int32Array | Float32Array;
  for (let k = 0; k < idVals.length; k++) {
    const index = idVals[k];
    if (!(index >= 0 && index <= dimSize - 1)) {
      backend.disposeData(out.dataId);
      throw new Error(`GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
    }
  }
  // Both live in the one wasm heap: copyWithin moves a slice without a view per slice.
  const Heap = outVals.constructor as Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
  const heap = new Heap(outVals.buffer as ArrayBuffer);
  const outAt = outVals.byteOffset / outVals.BYTES_PER_ELEMENT;
  const xAt = xVals.byteOffset / xVals.BYTES_PER_ELEMENT;
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      const from = xAt + (b * outerSize + o) * dimSize * sliceSize;
      const to = outAt + (b * outerSize + o) * perBatch * sliceSize;
      const ids = b * perBatch;
      for (let k = 0; k < perBatch; k++) {
        const src = from + idVals[ids + k] * sliceSize;
        if (sliceSize === 1) heap[to + k] = heap[src];
        else heap.copyWithin(to + k * sliceSize, src, src + sliceSize);
      }
    }
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

/** Register the missing wasm kernels (never overriding one wasm gains later) and our GatherV2. Idempotent. */
export function registerWasmExtraKernels(): void {
  for (const k of EXTRA_KERNELS) {
    if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
  }
  const gather = tf.getKernel('GatherV2', 'wasm');
  if (gather && gather.kernelFunc !== (gatherSlicesWasm as unknown)) {
    tf.unregisterKernel('GatherV2', 'wasm');
    tf.registerKernel({ kernelName: 'GatherV2', backendName: 'wasm', kernelFunc: gatherSlicesWasm as unknown as tf.KernelFunc });
  }
}
