import { EXPRESSIONS } from '@fer/core';
import { describe, expect, it } from 'vitest';
import { resultJson, type PublishedResult } from '../src/lib/pipeline/resultJson';

describe('resultJson', () => {
  it('publishes frame size, labels, and per face the box and full-precision probabilities', () => {
    const probabilities = new Float32Array([0.1, 0.05, 0.05, 0.6, 0.1, 0.05, 0.05]);
    const parsed = JSON.parse(
      resultJson(640, 480, [{ box: { x: 10.5, y: 20, width: 100, height: 110 }, expression: 'happy', probabilities }]),
    ) as PublishedResult;
    expect(parsed).toEqual({
      width: 640,
      height: 480,
      labels: [...EXPRESSIONS],
      faces: [{ box: { x: 10.5, y: 20, width: 100, height: 110 }, expression: 'happy', probabilities: Array.from(probabilities) }],
    });
    // Float32 values survive exactly, so a reader can compare them with @fer/core's output.
    expect(Float32Array.from(parsed.faces[0]!.probabilities)).toEqual(probabilities);
  });

  it('publishes an empty face list when nothing was found', () => {
    expect((JSON.parse(resultJson(320, 240, [])) as PublishedResult).faces).toEqual([]);
  });
});
