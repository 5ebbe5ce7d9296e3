/**
 * What the app shows is right, not just present: boxes land where the fake camera put the faces,
 * the saliency overlay is hottest on the face, and photo mode's probabilities are the ones
 * @fer/core computes in Node (wasm backend there too) for the same pixels and box. Reads the
 * views' `data-result` (src/lib/pipeline/resultJson.ts) and the overlay canvas's pixels.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ExpressionClassifier, cropFaces, type FaceBox } from '@fer/core';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  encodeBmp,
  fakeCameraPlacements,
  makeFakeCamera,
  renderFakePhoto,
  type FacePlacement,
  type FakeCameraOptions,
} from '../../scripts/make-fake-camera';
import type { PublishedResult } from '../../src/lib/pipeline/resultJson';
import { Browsers, e2eSkipReason, fakeCameraFlags, ferDir, modelsDir, state } from '../helpers/e2eApp';

/**
 * BlazeFace boxes a FER2013 crop tighter than the pasted square (FER crops cut off chin and
 * forehead): measured IoU 0.34-0.84, box side 0.58-0.97 of the square's, centres up to 0.14 of
 * the side apart. So a box matches a placed face when its centre is within 0.2 of the face's side
 * of the square's centre and its side is 0.4-1.2 of it; a mirrored box, or one on another face,
 * is at least 0.8 of the side away.
 */
const MAX_CENTRE_OFFSET = 0.2;
const SIDE_RANGE = [0.4, 1.2] as const;
/**
 * Browser (Chromium, wasm) and Node (wasm) run the same kernels, so they may differ in float
 * rounding only (measured here: not at all). The issue asks for 1e-3; 1e-4 is used because moving
 * the box by half a pixel already changes a probability by ~3e-4, and 2 px by ~1.4e-3.
 */
const MAX_PROBABILITY_DIFF = 1e-4;
/** Side of the squares the overlay's heat is summed over to find its peak, in canvas pixels. */
const HEAT_BLOCK = 16;

/** Faces off-centre and not mirror images of each other's place, so a mirrored box cannot pass. */
const CAMERA: Omit<FakeCameraOptions, 'ferDir' | 'out'> = {
  labels: ['happy', 'surprise', 'neutral'],
  positions: [
    { x: 24, y: 24 },
    { x: 376, y: 216 },
    { x: 200, y: 120 },
  ],
  emptyScene: false,
};

/** Distance between the box's centre and the placed square's, as a fraction of the square's side. */
const centreOffset = (box: FaceBox, p: FacePlacement) =>
  Math.hypot(box.x + box.width / 2 - (p.x + p.size / 2), box.y + box.height / 2 - (p.y + p.size / 2)) / p.size;

/** Whether `box` is the detector's box for the face placed at `p` (see MAX_CENTRE_OFFSET). */
function boxes(box: FaceBox, p: FacePlacement): boolean {
  const side = Math.max(box.width, box.height) / p.size;
  return centreOffset(box, p) <= MAX_CENTRE_OFFSET && side >= SIDE_RANGE[0] && side <= SIDE_RANGE[1];
}

/** The view's latest result (see resultJson). */
async function published(page: Page, selector: string): Promise<PublishedResult | undefined> {
  const json = await page.locator(selector).getAttribute('data-result');
  return json ? (JSON.parse(json) as PublishedResult) : undefined;
}

/** One moment of the live view: its result, and where the saliency heat on the overlay peaks. */
interface LiveSample {
  result: PublishedResult;
  mirrored: boolean;
  /** Centre of the HEAT_BLOCK square with the most heat-map alpha, in canvas pixels; undefined when no heat is drawn. */
  heatPeak: { x: number; y: number } | undefined;
}

/**
 * Reads result and overlay in one task, so both come from the same frame. Heat-map pixels are the
 * ones heatmapRgba paints (red 255, blue 0); boxes, labels and their colours are not.
 */
function sampleLive(page: Page): Promise<LiveSample | undefined> {
  return page.evaluate((block) => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas[data-result]');
    const json = canvas?.dataset.result;
    if (!canvas || !json) return undefined;
    const { data, width, height } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const columns = Math.ceil(width / block);
    const sums = new Float64Array(columns * Math.ceil(height / block));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = 4 * (y * width + x);
        if (data[i]! >= 250 && data[i + 2]! <= 5) sums[Math.floor(y / block) * columns + Math.floor(x / block)]! += data[i + 3]!;
      }
    }
    let best = 0;
    sums.forEach((s, i) => (best = s > sums[best]! ? i : best));
    return {
      result: JSON.parse(json) as PublishedResult,
      mirrored: document.querySelector('video')?.classList.contains('mirrored') ?? false,
      heatPeak: sums[best]! > 0 ? { x: ((best % columns) + 0.5) * block, y: (Math.floor(best / columns) + 0.5) * block } : undefined,
    };
  }, HEAT_BLOCK);
}

describe.skipIf(e2eSkipReason !== undefined)('what the web app shows', () => {
  const origin = inject('appOrigin');
  const browsers = new Browsers();
  afterAll(() => browsers.closeAll());

  it('boxes each face where the camera shows it, puts the saliency peak inside the box, and shows FPS', async () => {
    const cameraFile = join(browsers.tmp, 'placed.y4m');
    makeFakeCamera({ ferDir, out: cameraFile, ...CAMERA });
    const placements = fakeCameraPlacements(CAMERA);
    const { page, foreign } = await browsers.open(await browsers.launch(fakeCameraFlags(cameraFile)), origin);
    await page.getByRole('button', { name: 'Start camera' }).click({ timeout: 60_000 });
    await page.locator('canvas[data-result*="box"]').waitFor({ timeout: 30_000 });

    // Two loops of the 6 s video: every face shows up, and saliency has had time to catch up with each.
    const samples: LiveSample[] = [];
    const until = Date.now() + 12_000;
    while (Date.now() < until) {
      const sample = await sampleLive(page);
      if (sample !== undefined && sample.result.faces.length > 0) samples.push(sample);
      await page.waitForTimeout(100);
    }
    const faces = samples.flatMap((s) => s.result.faces);
    expect(faces.length).toBeGreaterThan(20);
    const offsets = faces.map((f) => Math.min(...placements.map((p) => centreOffset(f.box, p))));
    console.log(`live boxes: ${faces.length}, centre offset from the placed face: max ${Math.max(...offsets).toFixed(3)} of its side`);
    for (const face of faces)
      expect(
        placements.some((p) => boxes(face.box, p)),
        JSON.stringify(face.box),
      ).toBe(true);
    // Every placed face was found at some point, in the frame's own size.
    for (const p of placements)
      expect(
        faces.some((f) => boxes(f.box, p)),
        `${p.label} at ${p.x},${p.y}`,
      ).toBe(true);
    for (const s of samples) expect([s.result.width, s.result.height]).toEqual([640, 480]);

    // Saliency: the overlay is hottest inside the displayed face box (the heat map covers the
    // larger crop region, so this could fail), up to the peak's block quantisation.
    const withHeat = samples.filter((s) => s.heatPeak !== undefined && s.result.faces.length === 1);
    expect(withHeat.length).toBeGreaterThan(5);
    for (const { result, mirrored, heatPeak } of withHeat) {
      const box = result.faces[0]!.box;
      const left = mirrored ? result.width - box.x - box.width : box.x;
      const at = `peak ${JSON.stringify(heatPeak)}, box ${JSON.stringify(box)}, mirrored ${mirrored}`;
      expect(heatPeak!.x, at).toBeGreaterThanOrEqual(left - HEAT_BLOCK / 2);
      expect(heatPeak!.x, at).toBeLessThanOrEqual(left + box.width + HEAT_BLOCK / 2);
      expect(heatPeak!.y, at).toBeGreaterThanOrEqual(box.y - HEAT_BLOCK / 2);
      expect(heatPeak!.y, at).toBeLessThanOrEqual(box.y + box.height + HEAT_BLOCK / 2);
    }
    expect(Number(await page.getByTestId('fps').innerText())).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
  }, 120_000);

  it('shows the probabilities @fer/core computes in Node for the same photo and box', async () => {
    const photo = renderFakePhoto(ferDir, ['happy', 'surprise', 'angry']);
    const { page } = await browsers.open(await browsers.launch(), origin);
    await page.getByRole('button', { name: 'Photo' }).click({ timeout: 60_000 });
    await page.locator('input[type="file"]').setInputFiles({ name: 'faces.bmp', mimeType: 'image/bmp', buffer: encodeBmp(photo) });
    await state(page, 'photo-done').waitFor({ timeout: 30_000 });
    const shown = await published(page, 'canvas[data-result]');
    expect(shown).toBeDefined();
    expect([shown!.width, shown!.height]).toEqual([photo.width, photo.height]);
    expect(shown!.faces.length).toBeGreaterThanOrEqual(2);

    // Node: the same pixels (grey in all three channels, as the browser's canvas holds the BMP), the same box.
    const wasmEntry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(`${dirname(wasmEntry)}/`);
    expect(await tf.setBackend('wasm')).toBe(true);
    const classifier = await ExpressionClassifier.create((path) => readFile(join(modelsDir, path)));
    const rgb = new Int32Array(photo.luma.length * 3).map((_, i) => photo.luma[Math.floor(i / 3)]!);
    const frame = tf.tensor3d(rgb, [photo.height, photo.width, 3], 'int32');
    try {
      const captions = await page.locator('.charts figcaption').allInnerTexts();
      for (const [i, face] of shown!.faces.entries()) {
        expect(
          photo.placements.some((p) => boxes(face.box, p)),
          JSON.stringify(face.box),
        ).toBe(true);
        const crop = cropFaces(frame, [face.box], classifier.manifest.input);
        const [node] = await classifier.classify(crop);
        crop.dispose();
        const diff = Math.max(...face.probabilities.map((p, k) => Math.abs(p - node!.probabilities[k]!)));
        console.log(`photo face ${i}: browser ${face.expression}, node ${node!.expression}, max |dp| ${diff.toExponential(2)}`);
        expect(diff).toBeLessThanOrEqual(MAX_PROBABILITY_DIFF);
        expect(face.expression).toBe(node!.expression);
        expect(captions[i]?.toLowerCase()).toContain(node!.expression);
      }
    } finally {
      frame.dispose();
      classifier.dispose();
    }
  }, 120_000);
});
