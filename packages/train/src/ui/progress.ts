import cliProgress from 'cli-progress';

/** A progress bar on stderr; in a log file (no TTY) it prints a line every few seconds instead. */
export interface ProgressBar {
  update(done: number, status?: string): void;
  stop(): void;
}

/**
 * Starts a bar for `total` units of work, `done` of them already done (a resumed epoch: they do
 * not count towards the rate, so the ETA is not fooled); `status` is free text after the counts.
 */
export function startProgress(label: string, total: number, unit: string, done = 0): ProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% | {value}/{total} ${unit} | {status} | ETA {eta_formatted}`,
      barsize: 24,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, done, { status: '' });
  return {
    update: (done, status = '') => bar.update(done, { status }),
    stop: () => bar.stop(),
  };
}

/** Seconds as h:mm:ss, for ETAs spanning several epochs. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
