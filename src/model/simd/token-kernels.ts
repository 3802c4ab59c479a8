// The token pools' kernels (token-kernels-wat.ts) and the arena they run in.
import { KernelArena } from './kernel-arena.js';
import { TOKEN_KERNELS_WAT } from './token-kernels-wat.js';

export interface TokenKernelExports {
  memory: WebAssembly.Memory;
  pool(
    table: number,
    d: number,
    tokens: number,
    base: number,
    count: number,
    offset: number,
    length: number,
    scale: number,
    n: number,
    out: number,
    acc: number,
  ): void;
  scatter(
    d: number,
    tokens: number,
    base: number,
    count: number,
    offset: number,
    length: number,
    scale: number,
    weight: number,
    grads: number,
    n: number,
    touched: number,
    tokenWeight: number,
    tokenGrad: number,
  ): void;
  adam(
    table: number,
    m: number,
    v: number,
    d: number,
    numTokens: number,
    touched: number,
    tokenWeight: number,
    tokenGrad: number,
    l2: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    c1: number,
    c2: number,
  ): number;
}

export const tokenArena = (bytes: number) => KernelArena.create<TokenKernelExports>('token-kernels', TOKEN_KERNELS_WAT, bytes);
