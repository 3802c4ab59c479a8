// Shows an import's progress: a bar on a terminal, periodic structured log lines
// otherwise (CI, files, pipes), so long imports are never silent.
import cliProgress from 'cli-progress';
import { describeProblem } from '../ingest/problems.js';
import type { ImportProgress, RowProblem } from '../ingest/types.js';
import type { Logger } from '../log.js';

export interface ProgressDisplay {
  onProgress(progress: ImportProgress): void;
  /** Reports a bad row; only the first few are shown, all are counted in the summary. */
  onProblem(problem: RowProblem): void;
  /** How many bad rows were shown. */
  readonly problemsShown: number;
  stop(): void;
}

const PROBLEMS_SHOWN = 20;
const LOG_EVERY_MS = 1000;

export function createProgressDisplay(log: Logger, interactive = Boolean(process.stderr.isTTY)): ProgressDisplay {
  return interactive ? new ProgressBars() : new ProgressLog(log);
}

/** What to show for an event: a label, the amount done and the total, in one unit. */
function measure(progress: ImportProgress): { label: string; done: number; total: number; unit: string; rows?: number } {
  if (progress.phase === 'apply') {
    return { label: `writing: ${progress.step}`, done: progress.stepIndex, total: progress.steps, unit: 'steps' };
  }
  const label = `reading ${progress.source}`;
  if (progress.totalBytes && progress.bytesRead !== undefined) {
    return { label, done: progress.bytesRead, total: progress.totalBytes, unit: 'bytes', rows: progress.rows };
  }
  return { label, done: progress.rows, total: progress.totalRows ?? 0, unit: 'rows', rows: progress.rows };
}

class ProgressBars implements ProgressDisplay {
  problemsShown = 0;
  private readonly bars = new cliProgress.MultiBar(
    {
      format: '{label} [{bar}] {percentage}% | {detail}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  private bar: cliProgress.SingleBar | undefined;
  /** One bar per file read, and one for all the writing steps. */
  private barKey = '';

  onProgress(progress: ImportProgress): void {
    const { label, done, total, unit, rows } = measure(progress);
    const detail = rows !== undefined ? `${rows.toLocaleString('en-US')} rows` : `${done}/${total} ${unit}`;
    const key = progress.phase === 'apply' ? 'apply' : `read ${progress.table}`;
    if (key !== this.barKey || !this.bar) {
      this.complete();
      this.barKey = key;
      this.bar = this.bars.create(Math.max(total, 1), done, { label, detail });
    }
    this.bar.setTotal(Math.max(total, done, 1));
    this.bar.update(progress.phase === 'read' && progress.finished ? Math.max(total, done, 1) : done, { label, detail });
  }

  /** Fills the current bar: the work it stands for is over. */
  private complete(): void {
    if (this.bar) this.bar.update(this.bar.getTotal(), this.barKey === 'apply' ? { label: 'writing: done', detail: '' } : {});
  }

  onProblem(problem: RowProblem): void {
    if (this.problemsShown >= PROBLEMS_SHOWN) return;
    this.problemsShown++;
    this.bars.log(`bad row skipped: ${describeProblem(problem)}\n`);
  }

  private stopped = false;

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.complete();
    this.bars.stop();
  }
}

class ProgressLog implements ProgressDisplay {
  problemsShown = 0;
  private lastLogAt = 0;

  constructor(private readonly log: Logger) {}

  onProgress(progress: ImportProgress): void {
    const now = Date.now();
    const boundary = progress.phase === 'apply' || progress.finished;
    if (!boundary && now - this.lastLogAt < LOG_EVERY_MS) return;
    this.lastLogAt = now;
    const { done, total, unit, rows } = measure(progress);
    const percent = total ? Math.round((100 * done) / total) : undefined;
    if (progress.phase === 'apply') {
      this.log.info({ phase: 'apply', step: progress.step, stepIndex: progress.stepIndex, steps: progress.steps }, 'writing to the database');
    } else {
      this.log.info(
        { phase: 'read', table: progress.table, source: progress.source, rows, done, total, unit, percent, finished: progress.finished },
        'reading',
      );
    }
  }

  onProblem(problem: RowProblem): void {
    if (this.problemsShown >= PROBLEMS_SHOWN) return;
    this.problemsShown++;
    this.log.warn({ table: problem.table, file: problem.file, line: problem.line }, `bad row skipped: ${problem.message}`);
  }

  stop(): void {}
}
