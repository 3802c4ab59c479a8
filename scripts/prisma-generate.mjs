// Runs `prisma generate` on install. Generating the client needs no database and
// no schema engine, but the CLI still looks for the engine binary and tries to
// download it (impossible on offline machines): pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file stops that.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ||= process.execPath;
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
