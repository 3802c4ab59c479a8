// A PostgreSQL of a test's or a benchmark's own (initdb + pg_ctl on a free port),
// to stop and start under load, and to make a streaming replica of
// (pg_basebackup -R). Uses the machine's PostgreSQL server binaries; as root they
// run as the postgres user (PostgreSQL refuses to run as root).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A TCP port free on this machine's loopback now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * For node:test's `skip`: why a test that needs these binaries cannot run here, or false. Under CI it always
 * runs (and fails clearly without them): .ci/run installs them.
 */
export function skipWithoutServerBinaries(): string | false {
  if (process.env.CI || hasServerBinaries()) return false;
  return 'needs PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): apt-get install postgresql, or set PG_BIN';
}

/** Whether the machine has the server binaries these need. */
export function hasServerBinaries(): boolean {
  try {
    serverBinaries();
    return true;
  } catch {
    return false;
  }
}

function serverBinaries(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin/pg_basebackup'))) : [];
  if (versions.length === 0) {
    throw new Error('These tests need PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): `apt-get install postgresql`, or set PG_BIN.');
  }
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

const asRoot = process.getuid?.() === 0;

/** Runs a server binary, as the postgres user when we are root (PostgreSQL refuses to run as root). */
function run(binary: string, args: string[]): string {
  const file = path.join(serverBinaries(), binary);
  return asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { encoding: 'utf8' }) : execFileSync(file, args, { encoding: 'utf8' });
}

function ownedFolder(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  return dir;
}

export interface PrivatePostgres {
  port: number;
  /** URL of database `name` on it (user postgres, trust). */
  url(name?: string): string;
  start(): void;
  /** Stops it at once (fast shutdown: connections are cut, as in a restart). */
  stop(): void;
  /** A streaming replica of this server, started on a port of its own. */
  replica(): Promise<PrivatePostgres>;
  /** Stops it and removes its data. */
  destroy(): void;
}

function cluster(dir: string, port: number): PrivatePostgres {
  const log = path.join(dir, 'server.log');
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', path.join(dir, 'data'), '-l', log, '-w', '-t', '60', ...args]);
  const self: PrivatePostgres = {
    port,
    url: (name = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${name}`,
    start: () => void ctl('start', '-o', `-p ${port} -k ${dir}`),
    stop: () => void ctl('stop', '-m', 'fast'),
    async replica() {
      const replicaDir = ownedFolder('pg-replica-');
      const replicaPort = await freePort();
      run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-D', path.join(replicaDir, 'data'), '-R', '-X', 'stream', '-c', 'fast']);
      const replica = cluster(replicaDir, replicaPort);
      replica.start();
      return replica;
    },
    destroy() {
      try {
        self.stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** `durable: false` (tests) turns fsync off; benchmarks keep PostgreSQL's defaults. */
export async function startPrivatePostgres(options: { durable?: boolean } = {}): Promise<PrivatePostgres> {
  const dir = ownedFolder('pg-private-');
  const port = await freePort();
  run('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const settings = ["listen_addresses = '127.0.0.1'", 'wal_level = replica', 'max_wal_senders = 5', 'max_connections = 200'];
  if (!options.durable) settings.push('fsync = off', 'synchronous_commit = off', 'jit = off');
  fs.appendFileSync(path.join(dir, 'data', 'postgresql.conf'), `${settings.join('\n')}\n`);
  const server = cluster(dir, port);
  server.start();
  return server;
}
