// The WebAssembly SIMD kernels of token-kernels-wat.ts, compiled once per thread (wabt turns the text into a
// module at start: about 30 ms), each instance with a memory of its own carved up by a bump allocator.
import wabtInit from 'wabt';
import { TOKEN_KERNELS_WAT } from './token-kernels-wat.js';

export interface TokenKernelExports {
  memory: WebAssembly.Memory;
  pool(table: number, d: number, tokens: number, base: number, count: number, offset: number, length: number, scale: number, n: number, out: number, acc: number): void;
  scatter(d: number, tokens: number, base: number, count: number, offset: number, length: number, scale: number, weight: number, grads: number, n: number, slotOf: number, unique: number, tokenWeight: number, tokenGrad: number): number;
  adam(table: number, m: number, v: number, d: number, unique: number, used: number, tokenWeight: number, tokenGrad: number, slotOf: number, l2: number, lr: number, b1: number, b2: number, eps: number, c1: number, c2: number): number;
}

let compiled: Promise<WebAssembly.Module> | null = null;

function module(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const wabt = await wabtInit();
    const parsed = wabt.parseWat('token-kernels.wat', TOKEN_KERNELS_WAT, { simd: true });
    try {
      return await WebAssembly.compile(new Uint8Array(parsed.toBinary({}).buffer));
    } finally {
      parsed.destroy();
    }
  })();
  return compiled;
}

/** Typed views over one instance's memory, handed out once (the memory never grows after). */
export class KernelArena {
  private next = 16;

  private constructor(
    readonly kernels: TokenKernelExports,
    private readonly size: number,
  ) {}

  /** An instance with `bytes` of memory (plus alignment slack) for the arrays to come. */
  static async create(bytes: number): Promise<KernelArena> {
    const instance = await WebAssembly.instantiate(await module());
    const kernels = instance.exports as unknown as TokenKernelExports;
    const size = bytes + 64 * 1024;
    const pages = Math.ceil(size / 65536) - kernels.memory.buffer.byteLength / 65536;
    if (pages > 0) kernels.memory.grow(pages);
    return new KernelArena(kernels, kernels.memory.buffer.byteLength);
  }

  private take(bytes: number): number {
    const at = this.next;
    this.next = Math.ceil((at + bytes) / 16) * 16;
    if (this.next > this.size) throw new Error(`kernel arena of ${this.size} bytes is full`);
    return at;
  }

  floats(n: number): { at: number; view: Float32Array } {
    const at = this.take(4 * n);
    return { at, view: new Float32Array(this.kernels.memory.buffer, at, n) };
  }

  ints(n: number): { at: number; view: Int32Array } {
    const at = this.take(4 * n);
    return { at, view: new Int32Array(this.kernels.memory.buffer, at, n) };
  }
}

/** Bytes an arena needs for arrays of these element counts (each rounded up to 16 bytes). */
export function arenaBytes(counts: number[]): number {
  return counts.reduce((sum, n) => sum + Math.ceil((4 * n) / 16) * 16 + 16, 0);
}
