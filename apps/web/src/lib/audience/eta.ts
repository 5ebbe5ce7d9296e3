/**
 * Time left while a video file is analysed: the analysis time spent so far (pauses excluded)
 * scaled by the share of the video still to go. Analysis speed depends on the faces in view, so
 * the estimate is shown rounded, and only once enough is done for it to mean something.
 */
export interface EtaOptions {
  /** Progress (0..1) before which no estimate is given. Default 0.03. */
  minProgress?: number;
  /** Analysis time (ms) before which no estimate is given. Default 3000. */
  minElapsedMs?: number;
}

export class AnalysisEta {
  private activeMs = 0;
  private runningSince: number | undefined;

  constructor(private readonly options: EtaOptions = {}) {}

  start(nowMs: number): void {
    this.activeMs = 0;
    this.runningSince = nowMs;
  }

  pause(nowMs: number): void {
    if (this.runningSince === undefined) return;
    this.activeMs += nowMs - this.runningSince;
    this.runningSince = undefined;
  }

  resume(nowMs: number): void {
    this.runningSince ??= nowMs;
  }

  /** Active analysis time so far. */
  elapsedMs(nowMs: number): number {
    return this.activeMs + (this.runningSince === undefined ? 0 : nowMs - this.runningSince);
  }

  /** Milliseconds left at `progress` (0..1), or undefined while too little is done to tell. */
  remainingMs(progress: number, nowMs: number): number | undefined {
    const elapsed = this.elapsedMs(nowMs);
    if (progress < (this.options.minProgress ?? 0.03) || elapsed < (this.options.minElapsedMs ?? 3000) || progress >= 1) return undefined;
    return (elapsed * (1 - progress)) / progress;
  }
}

/** "about 40 s left", "about 3 min left", "about 1 h 5 min left"; rounded up to 10 s below two minutes. */
export function formatRemaining(ms: number | undefined): string {
  if (ms === undefined) return 'estimating time left…';
  const s = Math.max(0, ms / 1000);
  if (s < 120) return `about ${Math.max(10, Math.ceil(s / 10) * 10)} s left`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}
