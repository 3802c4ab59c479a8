// TensorFlow.js as this project uses it: the core ops, the layers API and the CPU backend. The umbrella package
// `@tensorflow/tfjs` also loads its converter, data and WebGL parts, which nothing here runs, in every process
// and thread that trains or scores.
import '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
