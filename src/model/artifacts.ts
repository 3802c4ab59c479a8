/**
 * Save / load the ranking model as TensorFlow.js artifacts, without tfjs-node's file:// handler:
 *
 *   <dir>/model.json     tfjs "layers-model" JSON: a Keras functional topology of the same network
 *                        (loadable with tf.loadLayersModel on any backend) + weightsManifest
 *                        + userDefinedMetadata (config, vocab sizes)
 *   <dir>/weights.bin    the weights (float32, little-endian, tfjs weight encoding)
 *   <dir>/baseline.json  the bias baseline (fallback for unknown users/products)
 *   <dir>/training.json  config, history and best epoch (informational)
 *   <dir>/user-features.bin  with feature towers: the users' token embeddings (float32 [tokens, dim])
 *   <dir>/member-<k>/    networks 2, 3, … of an ensemble (config.ensembleSize): model.json + weights.bin
 *
 * The Keras model's output is unclipped; clipping to the rating range is done by RankingModel.predict
 * and the scorer.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import * as tf from './tf.js';
import { BaselineModel, type BaselineParams } from './baseline.js';
import { resolveConfig, type TrainingConfig } from './config.js';
import { RankingModel, type ModelWeights } from './ranking-model.js';
import { RankingEnsemble } from './ranking-ensemble.js';
import type { EpochLog } from './train.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const BASELINE_JSON = 'baseline.json';
export const TRAINING_JSON = 'training.json';
export const USER_FEATURES_BIN = 'user-features.bin';
export const ARTIFACT_FORMAT_VERSION = 1;

export interface ModelMetadata {
  formatVersion: number;
  kind: 'tfrs-ranking';
  config: TrainingConfig;
  numUsers: number;
  numItems: number;
  /** Networks in the ensemble (absent = 1): network k ≥ 1 is saved in member-<k>/ beside this one. */
  members?: number;
}

export interface SaveOptions {
  baseline?: BaselineModel;
  history?: EpochLog[];
  bestEpoch?: number;
  /** Anything else to record in training.json. */
  extra?: Record<string, unknown>;
}

export interface LoadedArtifacts {
  model: RankingEnsemble;
  baseline: BaselineModel | null;
  metadata: ModelMetadata;
  training: Record<string, unknown> | null;
}

/** Keras weight name ↔ RankingModel weight name, in the order the Keras model lists its weights. */
function weightNames(config: TrainingConfig): { keras: string; ours: string; shape: (nu: number, ni: number) => number[] }[] {
  const d = config.embeddingDim;
  const sizes = [2 * d, ...config.layerSizes, 1];
  const out: { keras: string; ours: string; shape: (nu: number, ni: number) => number[] }[] = [
    { keras: 'user_embedding/embeddings', ours: 'user_embedding', shape: (nu) => [nu, d] },
    { keras: 'item_embedding/embeddings', ours: 'item_embedding', shape: (_, ni) => [ni, d] },
  ];
  for (let l = 0; l + 1 < sizes.length; l++) {
    out.push({ keras: `dense_${l}/kernel`, ours: `dense_${l}_kernel`, shape: () => [sizes[l], sizes[l + 1]] });
    out.push({ keras: `dense_${l}/bias`, ours: `dense_${l}_bias`, shape: () => [sizes[l + 1]] });
  }
  if (config.useBias) {
    out.push({ keras: 'user_bias/embeddings', ours: 'user_bias', shape: (nu) => [nu, 1] });
    out.push({ keras: 'item_bias/embeddings', ours: 'item_bias', shape: (_, ni) => [ni, 1] });
  }
  return out;
}

/** The same network as a tf.LayersModel (inputs: int32 [batch, 1] user and product indices). */
export function buildLayersModel(config: TrainingConfig, numUsers: number, numItems: number): tf.LayersModel {
  const d = config.embeddingDim;
  const userIn = tf.input({ shape: [1], dtype: 'int32', name: 'user_index' });
  const itemIn = tf.input({ shape: [1], dtype: 'int32', name: 'item_index' });
  const emb = (name: string, n: number, dim: number, x: tf.SymbolicTensor) =>
    tf.layers.flatten({ name: `${name}_flat` }).apply(tf.layers.embedding({ inputDim: n, outputDim: dim, name }).apply(x)) as tf.SymbolicTensor;
  const userVec = emb('user_embedding', numUsers, d, userIn);
  const itemVec = emb('item_embedding', numItems, d, itemIn);
  let h = tf.layers.concatenate({ name: 'concat' }).apply([userVec, itemVec]) as tf.SymbolicTensor;
  const sizes = [...config.layerSizes, 1];
  sizes.forEach((units, l) => {
    const last = l === sizes.length - 1;
    h = tf.layers.dense({ units, activation: last ? 'linear' : 'relu', name: `dense_${l}` }).apply(h) as tf.SymbolicTensor;
  });
  const terms: tf.SymbolicTensor[] = [];
  if (config.useBias) terms.push(emb('user_bias', numUsers, 1, userIn), emb('item_bias', numItems, 1, itemIn));
  if (config.dotProduct) terms.push(tf.layers.dot({ axes: 1, name: 'dot' }).apply([userVec, itemVec]) as tf.SymbolicTensor);
  if (terms.length) h = tf.layers.add({ name: 'add_terms' }).apply([h, ...terms]) as tf.SymbolicTensor;
  return tf.model({ inputs: [userIn, itemIn], outputs: h, name: 'tfrs_ranking' });
}

/** Where network k of an ensemble is saved, relative to the run's artifact folder (k = 0: the folder itself). */
function memberDir(dir: string, k: number): string {
  return k === 0 ? dir : path.join(dir, `member-${k}`);
}

/**
 * Write model.json + weights.bin (+ baseline.json, training.json) into `dir` (created if needed).
 * An ensemble's first network goes there too (so tf.loadLayersModel reads it as usual), the others
 * into member-1/, member-2/, … in the same format.
 */
export async function saveModel(model: RankingModel | RankingEnsemble, dir: string, opts: SaveOptions = {}): Promise<void> {
  const { members } = RankingEnsemble.of(model);
  for (const [k, member] of members.entries()) await saveNetwork(member, memberDir(dir, k), members.length);
  const { config } = members[0];
  if (opts.baseline) await writeAtomic(path.join(dir, BASELINE_JSON), JSON.stringify(opts.baseline.toJSON()));
  if (opts.history || opts.bestEpoch !== undefined || opts.extra) {
    await writeAtomic(
      path.join(dir, TRAINING_JSON),
      JSON.stringify({ config, history: opts.history ?? [], bestEpoch: opts.bestEpoch ?? null, ...opts.extra }, null, 2),
    );
  }
}

async function saveNetwork(model: RankingModel, dir: string, members: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const ours = model.getWeights();
  const names = weightNames(model.config);
  const metadata: ModelMetadata = {
    formatVersion: ARTIFACT_FORMAT_VERSION,
    kind: 'tfrs-ranking',
    config: model.config,
    numUsers: model.numUsers,
    numItems: model.numItems,
    members,
  };
  const tensors: tf.NamedTensorMap = {};
  for (const n of names) tensors[n.keras] = tf.tensor(ours[n.ours].values, n.shape(model.numUsers, model.numItems), 'float32');
  try {
    // The topology comes from a real LayersModel so that tf.loadLayersModel accepts the artifacts.
    const keras = buildLayersModel(model.config, model.numUsers, model.numItems);
    let topology: unknown;
    try {
      topology = keras.toJSON(null, false);
    } finally {
      keras.dispose();
    }
    const { data, specs } = await tf.io.encodeWeights(tensors);
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: topology,
      weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: specs }],
      userDefinedMetadata: metadata,
    };
    await writeAtomic(path.join(dir, WEIGHTS_BIN), Buffer.from(data));
    await writeAtomic(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
    // Beside the Keras weights, not among them: tf.loadLayersModel refuses weights its topology lacks.
    if (model.userFeatures)
      await writeAtomic(
        path.join(dir, USER_FEATURES_BIN),
        Buffer.from(model.userFeatures.buffer, model.userFeatures.byteOffset, model.userFeatures.byteLength),
      );
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Load what saveModel wrote: every network of the ensemble. Works on any backend (weights are plain float32). */
export async function loadModel(dir: string): Promise<LoadedArtifacts> {
  const first = await loadNetwork(dir);
  const members = [first.model];
  try {
    for (let k = 1; k < (first.metadata.members ?? 1); k++) members.push((await loadNetwork(memberDir(dir, k))).model);
  } catch (error) {
    for (const member of members) member.dispose();
    throw error;
  }
  const baseline = await readJsonIfExists<BaselineParams>(path.join(dir, BASELINE_JSON));
  const training = await readJsonIfExists<Record<string, unknown>>(path.join(dir, TRAINING_JSON));
  return { model: new RankingEnsemble(members), baseline: baseline ? BaselineModel.fromJSON(baseline) : null, metadata: first.metadata, training };
}

async function loadNetwork(dir: string): Promise<{ model: RankingModel; metadata: ModelMetadata }> {
  const modelJson = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8')) as io.ModelJSON & {
    userDefinedMetadata?: ModelMetadata;
  };
  const meta = modelJson.userDefinedMetadata;
  if (meta?.kind !== 'tfrs-ranking') throw new Error(`${dir}/${MODEL_JSON}: not a tfrs-ranking model`);
  if (meta.formatVersion > ARTIFACT_FORMAT_VERSION) throw new Error(`${dir}: artifact format ${meta.formatVersion} is newer than supported`);
  const config = resolveConfig(meta.config);
  const { specs, buffers } = await readWeightFiles(dir, modelJson.weightsManifest);
  const decoded = tf.io.decodeWeights(buffers, specs);
  try {
    const weights: ModelWeights = {};
    for (const n of weightNames(config)) {
      const t = decoded[n.keras];
      if (!t) throw new Error(`${dir}: weight ${n.keras} missing`);
      weights[n.ours] = { shape: t.shape.slice(), values: Float32Array.from(t.dataSync() as Float32Array) };
    }
    const userFeatures = await readIfExists(path.join(dir, USER_FEATURES_BIN));
    if (userFeatures) {
      const values = new Float32Array(userFeatures.buffer.slice(userFeatures.byteOffset, userFeatures.byteOffset + userFeatures.byteLength));
      weights.user_feature_embedding = { shape: [values.length / config.embeddingDim, config.embeddingDim], values };
    }
    return { model: new RankingModel(config, meta.numUsers, meta.numItems, { weights }), metadata: { ...meta, config } };
  } finally {
    tf.dispose(Object.values(decoded));
  }
}

/** A tf.io IOHandler reading the directory with node fs (for tf.loadLayersModel without tfjs-node). */
export function fileSystemLoadHandler(dir: string): io.IOHandler {
  return {
    load: async () => {
      const modelJson = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8')) as io.ModelJSON;
      const { specs, buffers } = await readWeightFiles(dir, modelJson.weightsManifest);
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy ?? undefined,
        weightSpecs: specs,
        weightData: buffers,
        userDefinedMetadata: modelJson.userDefinedMetadata,
      };
    },
  };
}

async function readWeightFiles(dir: string, manifest: io.WeightsManifestConfig) {
  const specs: io.WeightsManifestEntry[] = [];
  const parts: ArrayBuffer[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const buf = await fs.readFile(path.join(dir, p));
      parts.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    }
  }
  return { specs, buffers: tf.io.CompositeArrayBuffer.join(parts) };
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readJsonIfExists<T>(file: string): Promise<T | null> {
  const data = await readIfExists(file);
  return data ? (JSON.parse(data.toString('utf8')) as T) : null;
}

async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}
