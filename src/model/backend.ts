/**
 * TensorFlow.js backend selection.
 *
 *   'tensorflow'  @tensorflow/tfjs-node (native libtensorflow) when it is installed;
 *   'wasm'        @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD), the fast path without tfjs-node;
 *   'cpu'         the stock JS backend (slow; only on explicit request).
 *
 * 'auto' (the default) tries tensorflow, then wasm.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from './tf.js';
import { registerWasmExtraKernels } from './wasm-kernels.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = BackendName | 'auto';

let pending: Promise<BackendName> | null = null;
let pendingPreference: BackendPreference | null = null;

/**
 * Initialise the TensorFlow.js backend once per process (or worker thread) and return its name.
 * Idempotent: a second call with the same preference returns the same backend; with a different
 * explicit preference it switches (both backends stay registered).
 */
export function initBackend(preference: BackendPreference | string = process.env.TF_BACKEND ?? 'auto'): Promise<BackendName> {
  const pref = normalise(preference);
  if (pending && pendingPreference === pref) return pending;
  pendingPreference = pref;
  pending = choose(pref).catch((err) => {
    pending = null;
    pendingPreference = null;
    throw err;
  });
  return pending;
}

function normalise(p: string): BackendPreference {
  const v = p.trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'tensorflow' || v === 'node' || v === 'tfjs-node') return 'tensorflow';
  if (v === 'wasm' || v === 'cpu') return v;
  throw new Error(`Unknown TF_BACKEND '${p}' (expected auto, tensorflow, wasm or cpu)`);
}

async function choose(pref: BackendPreference): Promise<BackendName> {
  if (pref === 'tensorflow' || pref === 'auto') {
    if (await tryTfjsNode()) return 'tensorflow';
    if (pref === 'tensorflow') throw new Error('TF_BACKEND=tensorflow but @tensorflow/tfjs-node is not installed');
  }
  if (pref === 'cpu') {
    await setBackend('cpu');
    return 'cpu';
  }
  await initWasm();
  return 'wasm';
}

async function setBackend(name: string): Promise<void> {
  if (tf.getBackend() === name) return;
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

async function tryTfjsNode(): Promise<boolean> {
  if (tf.findBackend('tensorflow')) {
    await setBackend('tensorflow');
    return true;
  }
  try {
    // Variable specifier: optional dependency, absent on machines where libtensorflow cannot download.
    const name = '@tensorflow/tfjs-node';
    await import(name);
  } catch {
    return false;
  }
  if (!tf.findBackend('tensorflow')) return false; // a second copy of tfjs-core: not usable
  await setBackend('tensorflow');
  return true;
}

let wasmPathsSet = false;

async function initWasm(): Promise<void> {
  // Required, as tf.ts requires TensorFlow.js: imported, node would first scan the whole bundle for its exports.
  const wasm: typeof import('@tensorflow/tfjs-backend-wasm') = createRequire(import.meta.url)('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    wasm.setWasmPaths(wasmDistDir());
    wasmPathsSet = true;
  }
  registerWasmExtraKernels();
  await setBackend('wasm');
}

/** Directory (with trailing separator) that holds tfjs-backend-wasm's .wasm binaries. */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  let main: string;
  try {
    main = require.resolve('@tensorflow/tfjs-backend-wasm'); // .../dist/tf-backend-wasm.node.js
  } catch {
    main = new URL(import.meta.resolve('@tensorflow/tfjs-backend-wasm')).pathname;
  }
  const dir = path.dirname(main);
  // Emscripten in Node reads the binary with fs when given a plain path; keep the OS form.
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/** For diagnostics: the file URL of the .wasm directory. */
export function wasmDistUrl(): string {
  return pathToFileURL(wasmDistDir()).href;
}
