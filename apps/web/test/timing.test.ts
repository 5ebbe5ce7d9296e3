import { describe, expect, it } from 'vitest';
import { StableAnnouncer } from '../src/lib/announce/announcer';
import { IntervalGate, PerfStats } from '../src/lib/perf/perfStats';

describe('PerfStats', () => {
  it('reports frames per second from the time between frames', () => {
    const stats = new PerfStats();
    for (let t = 0; t <= 2000; t += 50) stats.frame(t);
    expect(stats.snapshot().fps).toBeCloseTo(20);
  });
  it('averages stage times and starts over on reset', () => {
    const stats = new PerfStats(0.5);
    stats.stage('detect', 10);
    stats.stage('detect', 20);
    expect(stats.snapshot().ms.detect).toBe(15);
    expect(stats.snapshot().ms.saliency).toBe(0);
    stats.reset();
    expect(stats.snapshot()).toEqual({ fps: 0, ms: { detect: 0, classify: 0, saliency: 0 } });
  });
});

describe('IntervalGate', () => {
  it('lets one call through per interval', () => {
    const gate = new IntervalGate();
    const passed = [0, 50, 199, 200, 260, 410].filter((t) => gate.due(t, 200));
    expect(passed).toEqual([0, 200, 410]);
  });
});

describe('StableAnnouncer', () => {
  it('announces an expression once it has held, and only when it changes', () => {
    const announcer = new StableAnnouncer(1000);
    const heard = [
      [0, 'happy'],
      [500, 'happy'],
      [1000, 'happy'],
      [1500, 'happy'],
      [1600, 'sad'],
      [2000, 'happy'],
      [2500, 'happy'],
      [3100, 'happy'],
      [3200, undefined],
      [4300, undefined],
    ].map(([t, label]) => announcer.update(label as string | undefined, t as number));
    expect(heard.filter((h) => h !== undefined)).toEqual(['happy', 'No face in view']);
  });
});
