// The image and compose file cannot be run here (no Docker engine): their facts that the code relies on are checked instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

test("the image runs node itself as its command, with the serve script's arguments", () => {
  const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'));
  assert.ok(cmd, 'a CMD in exec form');
  const serve = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.serve.split(' ');
  assert.deepEqual(JSON.parse(cmd[1]), serve);
});

test('compose runs two API instances and one trainer on one PostgreSQL, each with an init', () => {
  const compose = read('docker-compose.yml');
  assert.equal(compose.match(/^ {2}api-\d:$/gm)?.length, 2);
  assert.match(compose, /^ {2}trainer:\n(?: {4}.*\n)*? {6}TRAINER: only$/m);
  assert.equal(compose.match(/TRAINER: "false"/g)?.length, 2);
  assert.match(compose, /init: true/);
  assert.equal(compose.match(/^ {2}postgres:$/gm)?.length, 1);
});

test("the image installs with the project's .npmrc (onnxruntime-node's optional CUDA download skipped)", () => {
  assert.match(read('.npmrc'), /^onnxruntime-node-install=skip$/m);
  const installs = read('Dockerfile').split('\n').filter((line) => /^RUN npm ci/.test(line)).length;
  assert.equal(read('Dockerfile').match(/^COPY package\.json package-lock\.json \.npmrc \.\/$/gm)?.length, installs);
});
