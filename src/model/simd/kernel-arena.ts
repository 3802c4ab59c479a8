// WebAssembly SIMD kernels written as text (*-wat.ts), compiled once per thread (wabt turns the text into a
// module with the first kernel: a few milliseconds), each instance with a memory of its own that a bump allocator carves
// into typed arrays before any kernel runs.

const compiled = new Map<string, Promise<WebAssembly.Module>>();

function compile(name: string, wat: string): Promise<WebAssembly.Module> {
  let module = compiled.get(name);
  if (!module) {
    module = (async () => {
      const wabt = await (await import('wabt')).default(); // loaded with the first kernel: most processes run none
      const parsed = wabt.parseWat(`${name}.wat`, wat, { simd: true });
      try {
        return await WebAssembly.compile(new Uint8Array(parsed.toBinary({}).buffer));
      } finally {
        parsed.destroy();
      }
    })();
    compiled.set(name, module);
  }
  return module;
}

/** Typed views over one instance's memory, handed out once (the memory never grows after). */
export class KernelArena<K extends { memory: WebAssembly.Memory }> {
  private next = 16;

  private constructor(
    readonly kernels: K,
    private readonly size: number,
  ) {}

  /** An instance of module `name` (text `wat`) with `bytes` of memory (plus slack) for the arrays to come. */
  static async create<K extends { memory: WebAssembly.Memory }>(name: string, wat: string, bytes: number): Promise<KernelArena<K>> {
    const instance = await WebAssembly.instantiate(await compile(name, wat));
    const kernels = instance.exports as unknown as K;
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

  doubles(n: number): { at: number; view: Float64Array } {
    const at = this.take(8 * n);
    return { at, view: new Float64Array(this.kernels.memory.buffer, at, n) };
  }

  /** Zeroed bytes. */
  bytes(n: number): { at: number; view: Uint8Array } {
    const at = this.take(n);
    return { at, view: new Uint8Array(this.kernels.memory.buffer, at, n) };
  }

  ints(n: number): { at: number; view: Int32Array } {
    const at = this.take(4 * n);
    return { at, view: new Int32Array(this.kernels.memory.buffer, at, n) };
  }
}

/** Bytes an arena needs for arrays of these byte sizes (each rounded up to 16 bytes). */
export function arenaBytes(sizes: number[]): number {
  return sizes.reduce((sum, bytes) => sum + Math.ceil(bytes / 16) * 16 + 16, 0);
}
