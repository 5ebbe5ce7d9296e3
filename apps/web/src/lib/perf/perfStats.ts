/** Pipeline stages timed for the HUD. */
export type Stage = 'detect' | 'classify' | 'saliency';

/** What the HUD shows: frames per second and recent milliseconds per stage. */
export interface PerfSnapshot {
  fps: number;
  ms: Record<Stage, number>;
}

/**
 * Exponential moving averages of frame rate and stage times: steady enough to read,
 * recent enough to show the effect of a toggle within a second.
 */
export class PerfStats {
  private lastFrameMs: number | undefined;
  private frameMs = 0;
  private readonly stageMs: Record<Stage, number> = { detect: 0, classify: 0, saliency: 0 };

  constructor(private readonly alpha = 0.1) {}

  /** Marks the end of a processed frame. */
  frame(nowMs: number): void {
    if (this.lastFrameMs !== undefined) {
      const dt = nowMs - this.lastFrameMs;
      this.frameMs = this.frameMs === 0 ? dt : this.frameMs + this.alpha * (dt - this.frameMs);
    }
    this.lastFrameMs = nowMs;
  }

  /** Records how long one stage took. */
  stage(stage: Stage, ms: number): void {
    const previous = this.stageMs[stage];
    this.stageMs[stage] = previous === 0 ? ms : previous + this.alpha * (ms - previous);
  }

  snapshot(): PerfSnapshot {
    return { fps: this.frameMs > 0 ? 1000 / this.frameMs : 0, ms: { ...this.stageMs } };
  }

  /** Starts over, e.g. when the camera restarts after the tab was hidden. */
  reset(): void {
    this.lastFrameMs = undefined;
    this.frameMs = 0;
    this.stageMs.detect = this.stageMs.classify = this.stageMs.saliency = 0;
  }
}

/** Lets an action through at most once per interval; the interval may change from call to call. */
export class IntervalGate {
  private lastMs = Number.NEGATIVE_INFINITY;

  /** True (and starts a new interval) when the last accepted call was at least `intervalMs` ago. */
  due(nowMs: number, intervalMs: number): boolean {
    if (nowMs - this.lastMs < intervalMs) return false;
    this.lastMs = nowMs;
    return true;
  }
}
