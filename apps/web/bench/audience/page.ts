/**
 * The audience bench's page (bundled by bench/audience/index.ts): the app's own audience code on a
 * video file picked into #video, as a user would. It encodes the test loop on request (WebCodecs),
 * decodes a whole file without analysis, or analyses it into a session saved in IndexedDB,
 * sampling the JS heap as it goes.
 */
import { encodeGreyVideo, type GreyFrames } from '../../scripts/lib/greyVideo';
import { analyzeVideoFile, AudienceCapture } from '../../src/lib/audience/capture';
import { SessionRecorder } from '../../src/lib/audience/recorder';
import { newSessionId } from '../../src/lib/audience/session';
import { SessionStore } from '../../src/lib/audience/store';
import { openVideoFile } from '../../src/lib/audience/videoFile';
import type { AppRuntime } from '../../src/lib/analysis/analysisClient';
import { startBenchRuntime } from '../benchRuntime';
import type { AudiencePass, PassPlan } from './protocol';

declare global {
  interface Window {
    audienceBench: {
      /** The frames as a WebM, base64. */
      encode(frames: GreyFrames): Promise<string>;
      run(plan: PassPlan): Promise<AudiencePass>;
    };
  }
}

/** Chromium's heap figure (precise with --enable-precise-memory-info). */
const heapBytes = () => (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;

let runtime: Promise<AppRuntime> | undefined;

async function run(plan: PassPlan): Promise<AudiencePass> {
  const file = document.querySelector<HTMLInputElement>('#video')?.files?.[0];
  if (file === undefined) throw new Error('no video file picked');
  const loaded = plan.analyse ? await (runtime ??= startBenchRuntime(false)) : undefined;
  const heapAtStart = heapBytes();
  let peakHeap = heapAtStart;
  const sample = () => (peakHeap = Math.max(peakHeap, heapBytes()));
  const video = await openVideoFile(file);
  const start = performance.now();
  let frames = 0;
  let faces = 0;
  let unsavedFrames = 0;
  let storageError: string | undefined;
  if (loaded === undefined) {
    try {
      for await (const decoded of video.frames({ maxFps: plan.maxFps })) {
        decoded.frame.close();
        if (++frames % 30 === 0) sample();
      }
    } finally {
      video.close();
    }
  } else {
    const store = await SessionStore.open('fer-audience-bench');
    const recorder = new SessionRecorder(
      {
        id: newSessionId(),
        name: file.name,
        source: 'file',
        sourceName: file.name,
        createdAt: Date.now(),
        width: video.info.width,
        height: video.info.height,
      },
      store,
    );
    const capture = new AudienceCapture(loaded.analysis, recorder);
    try {
      await analyzeVideoFile(video, capture, {
        maxFps: plan.maxFps,
        onFrame: (_progress, found) => {
          frames++;
          faces += found.length;
          sample();
        },
      });
    } finally {
      video.close();
    }
    unsavedFrames = recorder.unsavedFrames;
    storageError =
      recorder.storageError === undefined
        ? undefined
        : recorder.storageError instanceof Error
          ? recorder.storageError.message
          : JSON.stringify(recorder.storageError);
    store.close();
  }
  const wallMs = performance.now() - start;
  sample();
  return {
    analyse: plan.analyse,
    maxFps: plan.maxFps,
    frames,
    faces,
    wallMs,
    videoMs: video.info.durationMs,
    heapAtStart,
    peakHeap,
    heapAtEnd: heapBytes(),
    unsavedFrames,
    storageError,
  };
}

async function encode(frames: GreyFrames): Promise<string> {
  const bytes = await encodeGreyVideo(frames, { bitrate: 2e6 });
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

window.audienceBench = { encode, run };
