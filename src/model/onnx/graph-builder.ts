/**
 * A small builder for ONNX graphs (nodes, typed inputs/outputs, constants) serialised with the
 * `onnx-proto` definitions. WHY our own: the graphs are a handful of Gemm/Relu/Mul nodes built at run
 * time from the configured layer sizes; no converter is needed, only the protobuf writer.
 */
import { createRequire } from 'node:module';
import type onnxProto from 'onnx-proto';

// Required with the first graph built: a process that builds none (most CLI commands) does not parse it.
let loaded: typeof onnxProto.onnx | undefined;
const onnx = () => (loaded ??= (createRequire(import.meta.url)('onnx-proto') as typeof onnxProto).onnx);

export type Dim = number | string;
export type ElementType = 'float' | 'double' | 'int64';
/** An attribute: ints are INT, `{ float }` is FLOAT. */
type Attr = number | number[] | string | { float: number };

/** Operator set the graphs are written for (Gemm, ReduceSum with axes as input, Relu, Sign). */
export const OPSET = 17;

export class GraphBuilder {
  private readonly nodes: InstanceType<typeof onnxProto.onnx.NodeProto>[] = [];
  private readonly inputs: InstanceType<typeof onnxProto.onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnxProto.onnx.ValueInfoProto>[] = [];
  private readonly initializers: InstanceType<typeof onnxProto.onnx.TensorProto>[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  /** A float32 (or float64, int64) graph input. */
  input(name: string, dims: Dim[], type: ElementType = 'float'): string {
    this.inputs.push(valueInfo(name, dims, type));
    return name;
  }

  /** Marks `value` as a graph output named `name` (an Identity node when the names differ). */
  output(name: string, value: string, dims: Dim[], type: ElementType = 'float'): void {
    if (value !== name) this.nodes.push(onnx().NodeProto.create({ opType: 'Identity', input: [value], output: [name], name: `out_${name}` }));
    this.outputs.push(valueInfo(name, dims, type));
  }

  /** An int64 constant (e.g. ReduceSum's axes, Reshape's shape). */
  int64s(values: number[]): string {
    const name = `const_${this.counter++}`;
    this.initializers.push(onnx().TensorProto.create({ name, dims: [values.length], dataType: onnx().TensorProto.DataType.INT64, int64Data: values }));
    return name;
  }

  /** A float32 constant baked into the graph (a trained weight). */
  floats(name: string, dims: number[], values: Float32Array): string {
    const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    this.initializers.push(onnx().TensorProto.create({ name, dims, dataType: onnx().TensorProto.DataType.FLOAT, rawData }));
    return name;
  }

  /** Adds one node and returns the name of its (first) output. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.opOutputs(opType, inputs, 1, attrs)[0];
  }

  /** Adds one node with `count` outputs and returns their names. */
  opOutputs(opType: string, inputs: string[], count: number, attrs: Record<string, Attr> = {}): string[] {
    const name = `${opType.toLowerCase()}_${this.counter++}`;
    const output = Array.from({ length: count }, (_, k) => (k === 0 ? name : `${name}_${k}`));
    const attribute = Object.entries(attrs).map(([n, v]) => attribute_(n, v));
    this.nodes.push(onnx().NodeProto.create({ opType, input: inputs, output, name, attribute }));
    return output;
  }

  /** The serialised ModelProto. */
  toBytes(): Uint8Array {
    const graph = onnx().GraphProto.create({ name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers });
    const model = onnx().ModelProto.create({
      irVersion: 8,
      producerName: 'recsys-graphql',
      opsetImport: [onnx().OperatorSetIdProto.create({ domain: '', version: OPSET })],
      graph,
    });
    return onnx().ModelProto.encode(model).finish();
  }
}

const ELEMENT_TYPES = { float: 'FLOAT', double: 'DOUBLE', int64: 'INT64' } as const;

function valueInfo(name: string, dims: Dim[], type: ElementType) {
  const elemType = onnx().TensorProto.DataType[ELEMENT_TYPES[type]];
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return onnx().ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim } } } });
}

function attribute_(name: string, v: Attr) {
  const T = onnx().AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx().AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx().AttributeProto.create({ name, type: T.INTS, ints: v });
  if (typeof v === 'object') return onnx().AttributeProto.create({ name, type: T.FLOAT, f: v.float });
  if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer (use { float })`);
  return onnx().AttributeProto.create({ name, type: T.INT, i: v });
}
