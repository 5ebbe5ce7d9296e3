import type * as tf from '@tensorflow/tfjs';
import { artifactPathProblem, checkArtifactPath } from './artifactPath.js';
import { ArtifactError } from './errors.js';
import { sha256Hex } from './hash.js';
import { decodeLayersModel, weightPathsOf } from './layersFormat.js';
import { EXPRESSIONS } from './labels.js';
import { MANIFEST_FILE, ManifestSchema, type Manifest, type SvmParams } from './manifest.js';
import { decodeSvm } from './svmFormat.js';

/**
 * Reads one artifact file by its path relative to the artifact folder. The browser reads
 * over HTTP (`fetchReader`), Node reads from disk; the loader only sees bytes.
 */
export type ArtifactReader = (relativePath: string) => Promise<Uint8Array>;

/** Everything the classifier needs, verified against the manifest's hashes. */
export interface LoadedArtifacts {
  manifest: Manifest;
  cnn: tf.LayersModel;
  svm: SvmParams;
}

/**
 * An ArtifactReader over HTTP(S), relative to `baseUrl` (which should end in '/'). It requests
 * nothing outside that folder of that origin: a path that is absolute, a URL, or climbs out with
 * '..' is refused before any request (an ArtifactError naming the path), whatever the page's CSP.
 */
export function fetchReader(baseUrl: string | URL, fetchFn: typeof fetch = fetch): ArtifactReader {
  const folder = new URL('./', baseUrl);
  return async (relativePath) => {
    const problem = artifactPathProblem(relativePath);
    const url = problem === undefined ? new URL(relativePath, folder) : undefined;
    if (url === undefined || url.origin !== folder.origin || !url.href.startsWith(folder.href)) {
      throw new ArtifactError(relativePath, 'invalid', `not a path inside ${folder.href}: ${problem ?? 'it resolves outside the folder'}`);
    }
    const response = await fetchFn(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

async function readOrFail(read: ArtifactReader, file: string): Promise<Uint8Array> {
  try {
    return await read(file);
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    throw new ArtifactError(file, 'missing', error instanceof Error ? error.message : String(error), { cause: error });
  }
}

function parseJson(file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ArtifactError(file, 'corrupt', `not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

function formatZodIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Reads a file listed in the manifest and checks its size and SHA-256. */
async function readVerified(read: ArtifactReader, manifest: Manifest, file: string): Promise<Uint8Array> {
  const expected = manifest.files[file];
  if (expected === undefined) throw new ArtifactError(MANIFEST_FILE, 'invalid', `does not list a hash for ${file}`);
  const bytes = await readOrFail(read, file);
  if (bytes.byteLength !== expected.bytes) {
    throw new ArtifactError(file, 'corrupt', `expected ${expected.bytes} bytes, found ${bytes.byteLength} (truncated or replaced?)`);
  }
  const actual = await sha256Hex(bytes);
  if (actual !== expected.sha256) {
    throw new ArtifactError(file, 'tampered', `SHA-256 ${actual} does not match the manifest's ${expected.sha256}`);
  }
  return bytes;
}

/** Reads and validates manifest.json alone (cheap: no model weights). */
export async function loadManifest(read: ArtifactReader): Promise<Manifest> {
  const json = parseJson(MANIFEST_FILE, await readOrFail(read, MANIFEST_FILE));
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new ArtifactError(MANIFEST_FILE, 'invalid', formatZodIssues(parsed.error.issues));
  // Every path the manifest refers to stays inside the folder (see artifactPath.ts).
  checkArtifactPath(parsed.data.cnn.modelPath, MANIFEST_FILE, 'cnn.modelPath');
  checkArtifactPath(parsed.data.svm.path, MANIFEST_FILE, 'svm.path');
  for (const path of Object.keys(parsed.data.files)) checkArtifactPath(path, MANIFEST_FILE, 'files key');
  const labels = parsed.data.labels.join(',');
  if (labels !== EXPRESSIONS.join(',')) {
    throw new ArtifactError(MANIFEST_FILE, 'invalid', `labels ${labels} differ from this build's ${EXPRESSIONS.join(',')}`);
  }
  return parsed.data;
}

/**
 * Loads and verifies a complete artifact folder: manifest, CNN (tfjs LayersModel) and SVM.
 * Every file's size and hash are checked before it is parsed, and every failure is an
 * ArtifactError naming the file at fault.
 */
export async function loadArtifacts(read: ArtifactReader): Promise<LoadedArtifacts> {
  const manifest = await loadManifest(read);

  const modelPath = manifest.cnn.modelPath;
  const modelJson = parseJson(modelPath, await readVerified(read, manifest, modelPath));
  let weightPaths: string[];
  try {
    weightPaths = weightPathsOf(modelJson);
  } catch (error) {
    throw new ArtifactError(modelPath, 'invalid', (error as Error).message, { cause: error });
  }
  const modelDir = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/') + 1) : '';
  for (const path of weightPaths) {
    checkArtifactPath(path, modelPath, 'weights path');
    checkArtifactPath(modelDir + path, modelPath, 'weights path');
  }
  const weightFiles = await Promise.all(weightPaths.map((path) => readVerified(read, manifest, modelDir + path)));
  let cnn: tf.LayersModel;
  try {
    cnn = await decodeLayersModel(modelJson, weightFiles);
  } catch (error) {
    throw new ArtifactError(modelPath, 'invalid', `tfjs could not build the model: ${(error as Error).message}`, { cause: error });
  }
  if (!cnn.layers.some((layer) => layer.name === manifest.cnn.featureLayer)) {
    cnn.dispose();
    throw new ArtifactError(modelPath, 'invalid', `has no layer named '${manifest.cnn.featureLayer}' (the manifest's featureLayer)`);
  }

  const svmPath = manifest.svm.path;
  const svmBytes = await readVerified(read, manifest, svmPath).catch((error: unknown) => {
    cnn.dispose();
    throw error;
  });
  let svm: SvmParams;
  try {
    svm = decodeSvm(svmBytes, manifest.cnn.featureDims, manifest.labels.length);
  } catch (error) {
    cnn.dispose();
    throw new ArtifactError(svmPath, 'invalid', (error as Error).message, { cause: error });
  }
  return { manifest, cnn, svm };
}
