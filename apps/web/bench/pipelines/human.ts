import * as tf from '@tensorflow/tfjs';
import { Human, type Config } from '@vladmandic/human';
import { BENCH_URLS, type AwaitedAdapter } from './adapter';

/**
 * @vladmandic/human with only face detection (BlazeFace) and emotion on. Its result caching is
 * off (it skips models on frames that look like the last one): the fake camera holds each face
 * still for seconds, and a live face moves, so caching would measure the cache, not the models.
 * With `emotion` false it runs detection alone: the bench's detect figure for Human. Its classify
 * figure is Human's own timing of its emotion stage (`performance.emotion`, whole ms, kept per
 * frame when not async), measured in the same run as the frame.
 */
export async function createHumanPipeline(emotion: boolean): Promise<AwaitedAdapter> {
  const config: Partial<Config> = {
    backend: 'wasm',
    wasmPath: BENCH_URLS.tfjsWasm,
    modelBasePath: BENCH_URLS.humanModels,
    async: false,
    warmup: 'none',
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 5, skipFrames: 0, skipTime: 0 },
      mesh: { enabled: false },
      iris: { enabled: false },
      attention: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      emotion: { enabled: emotion, skipFrames: 0, skipTime: 0 },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
  const human = new Human(config);
  await human.load();
  return {
    library: `@vladmandic/human ${human.version} (BlazeFace + emotion${emotion ? '' : ': off, detection only'})`,
    // The bundle aliases human's tfjs imports to the app's one copy, so this is the backend it runs on.
    backend: `tfjs ${tf.getBackend()}`,
    options: { maxDetected: 5, cacheSensitivity: 0, skipFrames: 0, mesh: false, emotion },
    stageSource: emotion ? "whole detect() call; classify: Human's performance.emotion" : 'whole detect() call',
    async frame(video) {
      const result = await human.detect(video);
      const classify = emotion ? human.performance.emotion : undefined;
      return { faces: result.face.length, stageMs: classify === undefined ? {} : { classify } };
    },
    dispose() {
      // Human has no dispose; its models go with the page.
    },
  };
}
