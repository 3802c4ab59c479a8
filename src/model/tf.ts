// TensorFlow.js as this project uses it: the core ops, the layers API and the CPU backend. The umbrella package
// `@tensorflow/tfjs` also loads its converter, data and WebGL parts, which nothing here runs, in every process
// and thread that trains or scores. The packages are CommonJS bundles, loaded with require: imported as ES
// modules, node would first scan each whole bundle for its export names, most of their load time.
import { createRequire } from 'node:module';
import type * as Core from '@tensorflow/tfjs-core';
import type * as Layers from '@tensorflow/tfjs-layers';

export type * from '@tensorflow/tfjs-core';
export type * from '@tensorflow/tfjs-layers';

const require = createRequire(import.meta.url);
require('@tensorflow/tfjs-backend-cpu');
const core: typeof Core = require('@tensorflow/tfjs-core');
const layersApi: typeof Layers = require('@tensorflow/tfjs-layers');

// What the model uses; a new op is one more name here.
export const {
  add,
  addN,
  backend,
  backend_util,
  clipByValue,
  clone,
  concat,
  customGrad,
  dispose,
  div,
  expandDims,
  findBackend,
  fused,
  gather,
  getBackend,
  getKernel,
  grad,
  grads,
  io,
  keep,
  matMul,
  memory,
  mul,
  ready,
  registerKernel,
  relu,
  reshape,
  setBackend,
  slice,
  sqrt,
  square,
  squaredDifference,
  stack,
  step,
  sum,
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensorScatterUpdate,
  tidy,
  train,
  transpose,
  unregisterKernel,
  unsortedSegmentSum,
  util,
  valueAndGrads,
  variable,
  variableGrads,
  zeros,
  zerosLike,
} = core;
export const { input, layers, loadLayersModel, model, version_layers } = layersApi;
