// `npm run build:dashboard`: the admin dashboard built into dist/dashboard-app, which the service serves at /dashboard.
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  logLevel: 'warn',
  build: {
    outDir: path.resolve(import.meta.dirname, '../../../dist/dashboard-app'),
    emptyOutDir: true,
    // Served by the service itself, to browsers of this decade.
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
});
