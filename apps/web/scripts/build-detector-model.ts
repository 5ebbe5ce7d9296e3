/**
 * Builds static/detector/face_detection_short_range.tflite: MediaPipe's BlazeFace short-range
 * model from @mediapipe/face_detection, plus the TFLite model metadata that
 * @mediapipe/tasks-vision's FaceDetector requires for a float32 input (without it the task
 * refuses the model: "it requires specifying NormalizationOptions metadata").
 *
 *   node --import tsx scripts/build-detector-model.ts          # (re)write the committed file
 *   node --import tsx scripts/build-detector-model.ts --check  # rebuild in memory, compare
 *
 * The output is byte-for-byte deterministic and pinned by SHA-256 below, so a changed
 * dependency or a changed build fails loudly instead of shipping a different model.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ColorSpaceType, TensorType, addModelMetadata, buildModelMetadata, readModel, type ImageModelMetadata } from './lib/tflite-flatbuffers.js';

export const SOURCE_PACKAGE = '@mediapipe/face_detection';
export const SOURCE_VERSION = '0.4.1657300184';
export const SOURCE_FILE = 'face_detection_short_range.tflite';
/** SHA-256 of the unmodified model in SOURCE_PACKAGE@SOURCE_VERSION. */
export const SOURCE_SHA256 = '3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633';
/** SHA-256 of the built model; update only after checking a changed build in a browser. */
export const OUTPUT_SHA256 = '0a5d6d0bc2283d23a0972d8aee45a7db11210dba5999814ee79b54c2a8bdea17';

export const OUTPUT_PATH = fileURLToPath(new URL(`../static/detector/${SOURCE_FILE}`, import.meta.url));

/**
 * The metadata, as MediaPipe's own model cards describe this model: a 128x128 RGB image scaled
 * to [-1, 1], and two raw SSD outputs decoded by the task's own anchors. min_parser_version 1.0.0
 * is what TFLite Support's populator computes for ImageProperties + NormalizationOptions.
 */
export const DETECTOR_METADATA: ImageModelMetadata = {
  name: 'BlazeFace short-range face detector',
  description: 'MediaPipe face detection, short range (faces within ~2 m). Metadata added by apps/web/scripts/build-detector-model.ts.',
  version: SOURCE_VERSION,
  author: 'Google LLC (MediaPipe)',
  license: 'Apache License, Version 2.0: http://www.apache.org/licenses/LICENSE-2.0',
  minParserVersion: '1.0.0',
  input: {
    name: 'image',
    description: 'RGB image, 128x128, normalized as (value - 127.5) / 127.5.',
    colorSpace: ColorSpaceType.RGB,
    mean: [127.5],
    std: [127.5],
  },
  outputs: [
    { name: 'regressors', description: 'Box and 6 keypoint offsets for each of the 896 anchors.' },
    { name: 'classificators', description: 'Face score logit for each of the 896 anchors.' },
  ],
};

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The unmodified model from the pinned npm package. */
export function readSourceModel(): Uint8Array {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${SOURCE_PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  if (version !== SOURCE_VERSION) {
    throw new Error(`${SOURCE_PACKAGE} is ${version}, expected ${SOURCE_VERSION} (pin it exactly)`);
  }
  return new Uint8Array(readFileSync(join(dirname(packageJson), SOURCE_FILE)));
}

/** Source model -> model with metadata. Pure: the same input always gives the same bytes. */
export function buildDetectorModel(source: Uint8Array): Uint8Array {
  const digest = sha256(source);
  if (digest !== SOURCE_SHA256) {
    throw new Error(`${SOURCE_PACKAGE}/${SOURCE_FILE} changed: sha256 ${digest}, expected ${SOURCE_SHA256}`);
  }
  // The metadata describes tensors by position: make sure they are what it says.
  const { inputs, outputs } = readModel(source);
  const input = inputs[0];
  if (
    inputs.length !== 1 ||
    input?.type !== TensorType.FLOAT32 ||
    input.shape.join('x') !== '1x128x128x3' ||
    outputs.map((o) => o.name).join() !== DETECTOR_METADATA.outputs.map((o) => o.name).join()
  ) {
    throw new Error(`unexpected model signature: ${JSON.stringify({ inputs, outputs })}`);
  }
  return addModelMetadata(source, buildModelMetadata(DETECTOR_METADATA));
}

/** Builds and checks the pinned output hash; `--check` compares with `outputPath` instead of writing it. */
export function run(args: readonly string[], outputPath = OUTPUT_PATH): number {
  const check = args.includes('--check');
  const built = buildDetectorModel(readSourceModel());
  const digest = sha256(built);
  if (digest !== OUTPUT_SHA256) {
    console.error(`built model sha256 ${digest}, expected ${OUTPUT_SHA256}`);
    return 1;
  }
  if (check) {
    let committed: Uint8Array;
    try {
      committed = readFileSync(outputPath);
    } catch {
      console.error(`${outputPath} is missing; run without --check to build it`);
      return 1;
    }
    if (sha256(committed) !== digest) {
      console.error(`${outputPath} differs from a fresh build (sha256 ${sha256(committed)}, built ${digest})`);
      return 1;
    }
    console.log(`${outputPath} is up to date (sha256 ${digest})`);
    return 0;
  }
  writeFileSync(outputPath, built);
  console.log(`wrote ${outputPath} (${built.length} bytes, sha256 ${digest})`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = run(process.argv.slice(2));
}
