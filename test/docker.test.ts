// The image and compose file cannot be run here (no Docker engine): their facts that the code relies on are checked instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

test("the image runs node itself as its command, with the serve script's arguments", () => {
  const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'));
  assert.ok(cmd, 'a CMD in exec form');
  const serve = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.serve.split(' ');
  assert.deepEqual(JSON.parse(cmd[1]), serve);
});

test('compose runs two API instances and one trainer on one PostgreSQL, each with an init, a role and a health check', () => {
  // Parsed as compose reads it: the shared x-service block merged into each service.
  const compose = YAML.parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, { init?: boolean; environment?: Record<string, string>; healthcheck?: unknown; image?: string }>;
  };
  const roles = Object.fromEntries(
    Object.entries(compose.services)
      .filter(([, s]) => !s.image)
      .map(([name, s]) => [name, s.environment?.ROLE]),
  );
  assert.deepEqual(roles, { 'api-1': 'api', 'api-2': 'api', trainer: 'trainer' });
  for (const name of Object.keys(roles)) {
    const service = compose.services[name];
    assert.equal(service.init, true, `${name} has an init`);
    assert.ok(service.healthcheck, `${name} has a health check`);
    assert.match(service.environment!.DATABASE_URL, /@postgres:5432\//, `${name} uses the compose PostgreSQL`);
  }
  assert.equal(compose.services.postgres.image, 'postgres:16');
});

test('the build context leaves out the local database (with its admin key), models and installed packages', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim());
  for (const entry of ['.data', 'node_modules', 'dist', 'models/*', '.env']) assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
});

test('the image can run the CLI: the compiled service includes it, as the README says', () => {
  const build = JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as { include: string[]; exclude?: string[] };
  assert.deepEqual(build.include, ['src']);
  assert.ok(!(build.exclude ?? []).some((e) => e.startsWith('src/cli')));
  assert.match(read('Dockerfile'), /^COPY --from=build \/app\/dist \.\/dist$/m);
  assert.match(read('README.md'), /docker compose run --rm trainer node dist\/cli\/index\.js /);
});

test("the image installs with the project's .npmrc (onnxruntime-node's optional CUDA download skipped)", () => {
  assert.match(read('.npmrc'), /^onnxruntime-node-install=skip$/m);
  const installs = read('Dockerfile')
    .split('\n')
    .filter((line) => /^RUN npm ci/.test(line)).length;
  assert.equal(read('Dockerfile').match(/^COPY package\.json package-lock\.json \.npmrc \.\/$/gm)?.length, installs);
});
