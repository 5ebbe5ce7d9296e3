/**
 * Decides what a screen reader should hear: an expression once it has held for `holdMs`
 * (so a passing flicker isn't read out) and only when it differs from the last one announced.
 */
export class StableAnnouncer {
  private candidate: string | undefined;
  private sinceMs = 0;
  private announced: string | undefined;

  constructor(private readonly holdMs = 1500) {}

  /** Feeds the current label (undefined: no face); returns a message when one is due. */
  update(label: string | undefined, nowMs: number): string | undefined {
    if (label !== this.candidate) {
      this.candidate = label;
      this.sinceMs = nowMs;
      return undefined;
    }
    if (label === this.announced || nowMs - this.sinceMs < this.holdMs) return undefined;
    this.announced = label;
    return label ?? 'No face in view';
  }
}
