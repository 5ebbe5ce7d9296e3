/**
 * Browser side of detection.browser.test.ts, bundled with esbuild and served from a local origin:
 * composes 640x480 scenes from FER2013 faces at known places, runs the real wrapper on them and
 * hands the raw detections back for the Node side to score.
 */
import { createFaceDetector, type DetectedFace } from '../../src/lib/detection/faceDetector';

export interface Placement {
  /** Index into BrowserPlan.faceUrls. */
  face: number;
  x: number;
  y: number;
  size: number;
}

export interface Scene {
  /** Two CSS colours for a vertical gradient background. */
  background: [string, string];
  faces: Placement[];
}

export interface BrowserPlan {
  modelUrl: string;
  wasmBaseUrl: string;
  faceUrls: string[];
  scenes: Scene[];
  width: number;
  height: number;
}

export interface BrowserResult {
  /** Detections per scene, detectForVideo on the canvas. */
  video: DetectedFace[][];
  /** Wall time of each timed detectForVideo call (after warm-up). */
  frameMs: number[];
  /** Scene 0 again through detect() (the still-image path), from an ImageBitmap. */
  still: DetectedFace[];
  /** A background without faces. */
  empty: DetectedFace[];
  /** detectForVideo after detect(): timestamps stay valid when the two are mixed. */
  afterStill: DetectedFace[];
}

/** Violations of the app's Content-Security-Policy (served report-only, so nothing is hidden). */
const cspViolations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => {
  cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`);
});

async function run(plan: BrowserPlan): Promise<BrowserResult> {
  const detector = await createFaceDetector({ modelUrl: plan.modelUrl, wasmBaseUrl: plan.wasmBaseUrl });
  try {
    const faces = await Promise.all(
      plan.faceUrls.map(async (url) => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        return createImageBitmap(await response.blob());
      }),
    );
    const canvas = document.createElement('canvas');
    canvas.width = plan.width;
    canvas.height = plan.height;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    const draw = (scene: Scene): void => {
      const gradient = context.createLinearGradient(0, 0, 0, plan.height);
      gradient.addColorStop(0, scene.background[0]);
      gradient.addColorStop(1, scene.background[1]);
      context.fillStyle = gradient;
      context.fillRect(0, 0, plan.width, plan.height);
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'high';
      for (const p of scene.faces) {
        const face = faces[p.face];
        if (!face) throw new Error(`no face ${p.face}`);
        context.drawImage(face, p.x, p.y, p.size, p.size);
      }
    };

    let t = 0;
    const first = plan.scenes[0];
    if (!first) throw new Error('no scenes');
    draw(first);
    for (let i = 0; i < 3; i++) detector.detectForVideo(canvas, (t += 33)); // warm-up

    const video: DetectedFace[][] = [];
    const frameMs: number[] = [];
    for (const scene of plan.scenes) {
      draw(scene);
      const start = performance.now();
      video.push(detector.detectForVideo(canvas, (t += 33)));
      frameMs.push(performance.now() - start);
    }

    draw(first);
    const bitmap = await createImageBitmap(canvas);
    const still = detector.detect(bitmap);
    bitmap.close();
    const afterStill = detector.detectForVideo(canvas, t); // same timestamp as before: must not throw

    draw({ background: first.background, faces: [] });
    const empty = detector.detectForVideo(canvas, (t += 33));
    return { video, frameMs, still, empty, afterStill };
  } finally {
    detector.close();
  }
}

declare global {
  interface Window {
    runDetection: typeof run;
    cspViolations: string[];
  }
}
window.runDetection = run;
window.cspViolations = cspViolations;
