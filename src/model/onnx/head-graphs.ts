/**
 * The ranking head as ONNX graphs, for onnxruntime:
 *
 * - `trainingStepGraph`: one mini-batch's forward and backward through Dense(256, relu) → Dense(64,
 *   relu) → Dense(1) (any layer sizes): predictions, the head's weight gradients and the gradient
 *   with respect to its input (the concatenated embeddings). Gemm takes transposed operands natively,
 *   so each backward product is one node. The optimizer steps stay in JS (adam.ts).
 * - `scoringGraph`: the mean of an ensemble's networks for (user, product) pairs, the first layer split
 *   into per-user and per-product parts computed once (x·W1 = e_u·W1[:d] + e_i·W1[d:]), the trained
 *   weights baked in as constants.
 */
import { GraphBuilder } from './graph-builder.js';

/**
 * Inputs: x [B, sizes[0]], target [B, 1], offset [B, 1] (bias terms added to the head's output),
 * grad_scale [1] (2 / B: d MSE / d prediction), mask_l [B, sizes[l+1]] for each hidden layer
 * (inverted-dropout masks; ones when off), w_l / b_l for every layer.
 * Outputs: prediction [B, 1] (with the offset), d_prediction [B, 1], d_x [B, sizes[0]], dw_l, db_l.
 */
export function trainingStepGraph(sizes: number[]): Uint8Array {
  const g = new GraphBuilder('ranking_head_step');
  const L = sizes.length - 1;
  const head = headInputs(g, sizes, true);
  const target = g.input('target', ['B', 1]);
  const gradScale = g.input('grad_scale', [1]);
  const { a, relu, prediction } = forward(g, head, L);
  const dPrediction = g.op('Mul', [g.op('Sub', [prediction, target]), gradScale]);
  // Backward: dz = d a[l+1] (⊙ mask ⊙ relu'(z)); dW = a[l]ᵀ·dz; db = Σ dz; d a[l] = dz·Wᵀ.
  const batchAxis = g.int64s([0]);
  let dz = dPrediction;
  const dw: string[] = new Array(L);
  const db: string[] = new Array(L);
  let dx = '';
  for (let l = L - 1; l >= 0; l--) {
    dw[l] = g.op('Gemm', [a[l], dz], { transA: 1 });
    db[l] = g.op('ReduceSum', [dz, batchAxis], { keepdims: 0 });
    const da = g.op('Gemm', [dz, head.w[l]], { transB: 1 });
    if (l === 0) {
      dx = da;
      break;
    }
    // relu'(z) = sign(h) since h = relu(z) ≥ 0.
    dz = g.op('Mul', [g.op('Mul', [da, head.masks[l - 1]]), g.op('Sign', [relu[l - 1]])]);
  }
  g.output('prediction', prediction, ['B', 1]);
  g.output('d_prediction', dPrediction, ['B', 1]);
  g.output('d_x', dx, ['B', sizes[0]]);
  for (let l = 0; l < L; l++) {
    g.output(`dw_${l}`, dw[l], [sizes[l], sizes[l + 1]]);
    g.output(`db_${l}`, db[l], [sizes[l + 1]]);
  }
  return g.toBytes();
}

/** The same head without dropout or gradients (inputs x, offset, w_l, b_l → prediction [B, 1]), for validation. */
export function forwardGraph(sizes: number[]): Uint8Array {
  const g = new GraphBuilder('ranking_head_forward');
  const { prediction } = forward(g, headInputs(g, sizes, false), sizes.length - 1);
  g.output('prediction', prediction, ['B', 1]);
  return g.toBytes();
}

interface HeadInputs {
  x: string;
  offset: string;
  w: string[];
  b: string[];
  /** Dropout masks after the hidden layers (training only). */
  masks: string[];
}

function headInputs(g: GraphBuilder, sizes: number[], training: boolean): HeadInputs {
  const L = sizes.length - 1;
  const head: HeadInputs = { x: g.input('x', ['B', sizes[0]]), offset: g.input('offset', ['B', 1]), w: [], b: [], masks: [] };
  for (let l = 0; l < L; l++) {
    head.w.push(g.input(`w_${l}`, [sizes[l], sizes[l + 1]]));
    head.b.push(g.input(`b_${l}`, [sizes[l + 1]]));
    if (training && l < L - 1) head.masks.push(g.input(`mask_${l}`, ['B', sizes[l + 1]]));
  }
  return head;
}

/** a[0] = x; h = relu(a·W + b); a[l+1] = h (⊙ mask); the last layer is linear; prediction = a[L] + offset. */
function forward(g: GraphBuilder, head: HeadInputs, L: number) {
  const a = [head.x];
  const relu: string[] = [];
  for (let l = 0; l < L; l++) {
    const z = g.op('Gemm', [a[l], head.w[l], head.b[l]]);
    if (l === L - 1) {
      a.push(z);
      break;
    }
    const h = g.op('Relu', [z]);
    relu.push(h);
    a.push(head.masks.length ? g.op('Mul', [h, head.masks[l]]) : h);
  }
  return { a, relu, prediction: g.op('Add', [a[L], head.offset]) };
}

/** One trained network, as plain arrays (RankingModel.getWeights() names). */
export interface NetworkArrays {
  embeddingDim: number;
  numUsers: number;
  numItems: number;
  userEmbedding: Float32Array; // [numUsers, d]
  itemEmbedding: Float32Array; // [numItems, d]
  userBias: Float32Array | null;
  itemBias: Float32Array | null;
  dotProduct: boolean;
  kernels: Float32Array[]; // kernels[l]: [sizes[l], sizes[l+1]]
  biases: Float32Array[];
  sizes: number[];
}

/**
 * The ensemble's mean score, unclipped, the trained weights baked in as constants (so every member's
 * per-user and per-product first-layer parts are computed once, when the session is made).
 * - 'pairs': inputs user [N] and item [N] (int64 indices) → score [N] (candidates, arbitrary pairs);
 * - 'block': input user [U] → score [U, numItems], every product (the full matrix; no per-pair gather).
 */
export function scoringGraph(members: NetworkArrays[], shape: 'pairs' | 'block'): Uint8Array {
  const g = new GraphBuilder(`ranking_ensemble_${shape}`);
  const user = g.input('user', [shape === 'pairs' ? 'N' : 'U'], 'int64');
  const item = shape === 'pairs' ? g.input('item', ['N'], 'int64') : null;
  const sums: string[] = [];
  // A block adds [U, 1, width] user rows to the [numItems, width] product table by broadcasting.
  const rows = (table: string, side: 'user' | 'item') => {
    if (item) return g.op('Gather', [table, side === 'user' ? user : item]);
    return side === 'item' ? table : g.op('Unsqueeze', [g.op('Gather', [table, user]), g.int64s([1])]);
  };
  const flatRows = (t: string, width: number) => (item ? t : g.op('Reshape', [t, g.int64s([-1, width])]));
  members.forEach((m, k) => {
    const d = m.embeddingDim;
    const hidden = m.sizes[1];
    // E_u·W1[:d] and E_i·W1[d:] + b1 of constants only: onnxruntime folds them once, when the session is made.
    const ue = g.floats(`m${k}_user_embedding`, [m.numUsers, d], m.userEmbedding);
    const ie = g.floats(`m${k}_item_embedding`, [m.numItems, d], m.itemEmbedding);
    const w1 = m.kernels[0];
    const up = g.op('MatMul', [ue, g.floats(`m${k}_w_0_user`, [d, hidden], w1.subarray(0, d * hidden))]);
    const ip = g.op('Gemm', [
      ie,
      g.floats(`m${k}_w_0_item`, [d, hidden], w1.subarray(d * hidden, 2 * d * hidden)),
      g.floats(`m${k}_b_0`, [hidden], m.biases[0]),
    ]);
    let h = flatRows(g.op('Relu', [g.op('Add', [rows(up, 'user'), rows(ip, 'item')])]), hidden);
    const L = m.sizes.length - 1;
    for (let l = 1; l < L; l++) {
      const wl = g.floats(`m${k}_w_${l}`, [m.sizes[l], m.sizes[l + 1]], m.kernels[l]);
      const bl = g.floats(`m${k}_b_${l}`, [m.sizes[l + 1]], m.biases[l]);
      const z = g.op('Gemm', [h, wl, bl]);
      h = l === L - 1 ? z : g.op('Relu', [z]);
    }
    // [N] for pairs, [U, numItems] for a block.
    let score = g.op('Reshape', [h, g.int64s(item ? [-1] : [-1, m.numItems])]);
    if (m.userBias && m.itemBias) {
      const ub = g.floats(`m${k}_user_bias`, [m.numUsers], m.userBias);
      const ib = g.floats(`m${k}_item_bias`, [m.numItems], m.itemBias);
      const userBias = item ? g.op('Gather', [ub, user]) : g.op('Unsqueeze', [g.op('Gather', [ub, user]), g.int64s([1])]);
      score = g.op('Add', [score, g.op('Add', [userBias, item ? g.op('Gather', [ib, item]) : ib])]);
    }
    if (m.dotProduct) {
      const dot = item
        ? g.op('ReduceSum', [g.op('Mul', [g.op('Gather', [ue, user]), g.op('Gather', [ie, item])]), g.int64s([1])], { keepdims: 0 })
        : g.op('Gemm', [g.op('Gather', [ue, user]), ie], { transB: 1 });
      score = g.op('Add', [score, dot]);
    }
    sums.push(score);
  });
  let total = sums.length === 1 ? sums[0] : g.op('Sum', sums);
  if (members.length > 1) total = g.op('Mul', [total, g.floats('inverse_members', [1], Float32Array.of(1 / members.length))]);
  g.output('score', total, item ? ['N'] : ['U', members[0].numItems]);
  return g.toBytes();
}
