// The guided CLI in a real terminal (tmux): the menu trains a run with its progress shown, then quits; without
// a terminal the menu never appears.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createEmptyDatabase } from '../helpers/db.js';
import { CLI, ROOT } from '../helpers/cli.js';
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = !hasTmux && !process.env.CI ? 'needs tmux: apt-get install tmux' : false;
const SESSION = `recsys-menu-${process.pid}`;
let db: { url: string; drop(): Promise<void> };

before(async () => {
  db = await createEmptyDatabase('menu');
  const seeded = spawnSync(process.execPath, [...CLI, 'seed', '--users', '30', '--products', '20', '--ratings', '400', '--seed', '2'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url },
  });
  assert.equal(seeded.status, 0, seeded.stderr.toString());
});
after(async () => {
  spawnSync('tmux', ['kill-session', '-t', SESSION]);
  await db?.drop();
});

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', SESSION, '-S', '-200');

async function waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the screen:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('in a terminal, `npm run cli` with no command opens the menu: train a run with progress, then quit', { skip }, async () => {
  const command = `cd ${ROOT} && DATABASE_URL='${db.url}' MODELS_DIR=$(mktemp -d) ${process.execPath} ${CLI.join(' ')}; echo "menu exited $?"; sleep 30`;
  tmux('new-session', '-d', '-s', SESSION, '-x', '160', '-y', '50', command);
  await waitFor(/What would you like to do\?/);
  tmux('send-keys', '-t', SESSION, 'Down');
  await waitFor(/❯ Train now/);
  tmux('send-keys', '-t', SESSION, 'Enter');
  await waitFor(/Epochs at most/);
  tmux('send-keys', '-t', SESSION, '3', 'Enter');
  await waitFor(/Serve it even if/);
  // Forced: on a shop this small (400 ratings, 3 epochs) the gate may keep the network out either way.
  tmux('send-keys', '-t', SESSION, 'y', 'Enter');
  const trained = await waitFor(/Run 1: succeeded/, 120_000);
  assert.match(trained, /\$ npm run cli -- train --wait --epochs 3 --force/);
  assert.match(trained, /epoch \d\/3 \[█+/, 'a progress bar per epoch');
  assert.doesNotMatch(trained, /"level":30/, 'the menu keeps info logs off the screen');
  // The menu again, drawn after the run's summary (the first question's answer is still on the screen above).
  await waitFor(/Run 1: succeeded[\s\S]*❯ Import data/);
  tmux('send-keys', '-t', SESSION, 'Up');
  await waitFor(/❯ Quit/);
  tmux('send-keys', '-t', SESSION, 'Enter');
  await waitFor(/menu exited 0/);
});

test('without a terminal the menu never opens: the usage is printed', () => {
  const result = spawnSync(process.execPath, CLI, { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' });
  assert.doesNotMatch(result.stdout + result.stderr, /What would you like to do/);
  assert.match(result.stdout + result.stderr, /Usage: recsys/);
});
