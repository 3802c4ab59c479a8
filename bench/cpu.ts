// Where the CPU goes during a load period: this process, the service's process, the PostgreSQL
// processes, and the whole machine, read from /proc (Linux). The serving bench
// divides these by the requests served, so a missed throughput target can be
// traced to the process that spent the time.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux x86-64 kernel

export interface CpuSnapshot {
  at: number;
  self: NodeJS.CpuUsage;
  /** utime+stime of the service's process (all its threads), when it runs in a process of its own. */
  serviceTicks?: number;
  /** utime+stime per postgres pid: per pid, because backends exit during a phase (pool idle timeouts). */
  postgresTicks: Map<string, number>;
  machineBusyTicks: number;
  machineTotalTicks: number;
}

/** utime+stime of a process (fields 14 and 15 of /proc/<pid>/stat), with its command name. */
function processTicks(pid: string): { name: string; ticks: number } | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' '); // fields[0] is field 3 (state)
  return { name: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
}

function postgresTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const found = processTicks(pid);
    if (found?.name === 'postgres') ticks.set(pid, found.ticks);
  }
  return ticks;
}

/** Ticks spent between the snapshots by postgres processes alive at the end (a backend that exited
 * meanwhile is lost: /proc no longer has it, so the figure is a lower bound). */
function postgresTicksBetween(before: Map<string, number>, after: Map<string, number>): number {
  let ticks = 0;
  for (const [pid, now] of after) ticks += now - (before.get(pid) ?? 0);
  return ticks;
}

export function cpuSnapshot(servicePid?: number): CpuSnapshot {
  const [, ...cpu] = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  const jiffies = cpu.map(Number);
  const total = jiffies.slice(0, 8).reduce((a, b) => a + b, 0); // up to steal; guest is inside user
  const idle = jiffies[3] + jiffies[4]; // idle + iowait
  return {
    at: performance.now(),
    self: process.cpuUsage(),
    serviceTicks: servicePid === undefined ? undefined : processTicks(String(servicePid))?.ticks,
    postgresTicks: postgresTicks(),
    machineBusyTicks: total - idle,
    machineTotalTicks: total,
  };
}

/** CPU spent between two snapshots, in microseconds per request, and how busy the machine was. */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number, loadGeneratorMicros?: number) {
  const perRequest = (micros: number) => Math.round(micros / Math.max(1, requests));
  const selfMicros = after.self.user - before.self.user + (after.self.system - before.self.system);
  const tickMicros = 1e6 / TICKS_PER_SECOND;
  return {
    thisProcessMicros: perRequest(selfMicros),
    ...(before.serviceTicks === undefined || after.serviceTicks === undefined
      ? {}
      : { serviceMicros: perRequest((after.serviceTicks - before.serviceTicks) * tickMicros) }),
    ...(loadGeneratorMicros === undefined ? {} : { loadGeneratorMicros: perRequest(loadGeneratorMicros) }),
    postgresMicros: perRequest(postgresTicksBetween(before.postgresTicks, after.postgresTicks) * tickMicros),
    machineMicros: perRequest((after.machineBusyTicks - before.machineBusyTicks) * tickMicros),
    machineBusyPercent: Math.round(
      (100 * (after.machineBusyTicks - before.machineBusyTicks)) / Math.max(1, after.machineTotalTicks - before.machineTotalTicks),
    ),
  };
}
