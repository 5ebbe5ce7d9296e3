import * as tf from '@tensorflow/tfjs';

/**
 * The tfjs LayersModel file format (model.json + one weights file), written and read
 * in memory so Node (no tfjs-node file handler here) and the browser share it.
 */
export interface LayersModelFiles {
  modelJson: Uint8Array;
  weights: Uint8Array;
}

/** Serializes a model to the two files of the tfjs format; `weightsPath` is how model.json names the weights file. */
export async function encodeLayersModel(model: tf.LayersModel, weightsPath: string): Promise<LayersModelFiles> {
  let files: LayersModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      if (artifacts.weightData === undefined || artifacts.weightSpecs === undefined) {
        throw new Error('model has no weights to save');
      }
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
      };
      files = {
        modelJson: new TextEncoder().encode(JSON.stringify(modelJson)),
        weights: new Uint8Array(weightData),
      };
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
    }),
  );
  if (files === undefined) throw new Error('tfjs did not call the save handler');
  return files;
}

/** What model.json must contain for `decodeLayersModel`. */
interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function isModelJson(value: unknown): value is ModelJson {
  const v = value as Partial<ModelJson> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.modelTopology === 'object' &&
    Array.isArray(v.weightsManifest) &&
    v.weightsManifest.every((group) => Array.isArray(group.paths) && Array.isArray(group.weights))
  );
}

/** Weight file paths a parsed model.json refers to, in order. */
export function weightPathsOf(modelJson: unknown): string[] {
  if (!isModelJson(modelJson)) throw new Error('not a tfjs LayersModel model.json (no modelTopology/weightsManifest)');
  return modelJson.weightsManifest.flatMap((group) => group.paths);
}

/**
 * Builds a LayersModel from a parsed model.json and its weight files, through tf.io.fromMemory.
 * `weightFiles` must be in the order of `weightPathsOf(modelJson)`.
 */
export async function decodeLayersModel(modelJson: unknown, weightFiles: Uint8Array[]): Promise<tf.LayersModel> {
  if (!isModelJson(modelJson)) throw new Error('not a tfjs LayersModel model.json (no modelTopology/weightsManifest)');
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = tf.io.CompositeArrayBuffer.join(weightFiles.map((file) => file.slice().buffer));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }));
}
