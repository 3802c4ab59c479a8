// `npm run build:dashboard`: the admin dashboard built into dist/dashboard-app, which the service serves at /dashboard.
import path from 'node:path';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  logLevel: 'warn',
  // .br and .gz beside each asset: the service sends them to browsers that take them (sirv), compressed once at build.
  plugins: [compression({ threshold: 1024 })],
  build: {
    outDir: path.resolve(import.meta.dirname, '../../../dist/dashboard-app'),
    emptyOutDir: true,
    // Served by the service itself, to browsers of this decade.
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
});
