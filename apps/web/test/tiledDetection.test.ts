import { describe, expect, it } from 'vitest';
import type { PixelRect } from '@fer/core';
import type { DetectedFace, FaceDetectorHandle } from '../src/lib/detection/faceDetector';
import { mergeDetections, overlapOfSmaller, TiledDetector, tileGrid } from '../src/lib/detection/tiledDetection';

const face = (x: number, y: number, size: number, score: number): DetectedFace => ({
  box: { x, y, width: size, height: size },
  score,
  keypoints: [],
});

describe('tileGrid', () => {
  it('covers the frame edge to edge with overlapping tiles of equal size', () => {
    const tiles = tileGrid(1280, 720, 3, 2, 0.3);
    expect(tiles).toHaveLength(6);
    for (const t of tiles) expect([t.width, t.height]).toEqual([555, 468]);
    expect(tiles[0]).toMatchObject({ x: 0, y: 0 });
    expect(tiles[5]).toMatchObject({ x: 1280 - 555, y: 720 - 468 });
    // Neighbours overlap by more than a 280 px face's half, so every such face is whole in one tile.
    expect((tiles[0]?.x ?? 0) + 555 - (tiles[1]?.x ?? 0)).toBeGreaterThan(140);
  });
  it('is the whole frame for one tile', () => {
    expect(tileGrid(640, 480, 1, 1, 0.3)).toEqual([{ x: 0, y: 0, width: 640, height: 480 }]);
  });
});

describe('mergeDetections', () => {
  it('keeps the best of overlapping detections and a face cut by a tile edge goes', () => {
    const merged = mergeDetections([
      face(100, 100, 200, 0.8),
      face(105, 98, 196, 0.9), // the same face from a tile, scored higher
      face(100, 100, 90, 0.95), // half a face at a tile edge, inside the whole one
      face(600, 100, 200, 0.7), // another face
    ]);
    expect(merged.map((f) => [f.box.x, f.score])).toEqual([
      [105, 0.9],
      [600, 0.7],
    ]);
  });
  it('measures containment against the smaller box', () => {
    expect(overlapOfSmaller(face(0, 0, 100, 1).box, face(10, 10, 50, 1).box)).toBe(1);
    expect(overlapOfSmaller(face(0, 0, 100, 1).box, face(200, 0, 50, 1).box)).toBe(0);
  });
});

describe('TiledDetector', () => {
  // A detector that finds one face in the middle of each region it is shown, and records the regions.
  function recordingDetector(): { detector: FaceDetectorHandle; regions: (PixelRect | undefined)[] } {
    const regions: (PixelRect | undefined)[] = [];
    const detectForVideo = (_frame: unknown, _timestampMs: number, region?: PixelRect) => {
      regions.push(region);
      const { x, y, width } = region ?? { x: 0, y: 0, width: 1280 };
      return [face(x + width / 2 - 50, y + 50, 100, 0.9)];
    };
    const detector = { detectForVideo, detect: () => [], close: () => undefined };
    return { detector, regions };
  }
  const frame = { width: 1280, height: 720 } as ImageBitmap;

  it('looks at the whole frame and at every tile, and merges what it finds', () => {
    const { detector, regions } = recordingDetector();
    const faces = new TiledDetector(detector).detect(frame, 0);
    expect(regions).toEqual([undefined, ...tileGrid(1280, 720, 3, 2, 0.3)]);
    // Seven faces found; the whole frame's is the same as the top middle tile's.
    expect(faces).toHaveLength(6);
  });
  it('looks at the tiles alone for a caller that has looked at the whole frame', () => {
    const { detector, regions } = recordingDetector();
    const faces = new TiledDetector(detector).facesOnTiles(frame, 0);
    expect(regions).toEqual(tileGrid(1280, 720, 3, 2, 0.3));
    expect(faces).toHaveLength(6);
  });
});
