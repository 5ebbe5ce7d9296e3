import * as tf from '@tensorflow/tfjs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, ExpressionClassifier, fetchReader, loadArtifacts } from '../src/index.js';
import { tinyArtifacts, type TinyArtifacts } from './tinyArtifacts.js';

/** Serves the artifact files over real HTTP, as the web app's static host does. */
let server: Server;
let baseUrl: string;
let artifacts: TinyArtifacts;

beforeAll(async () => {
  artifacts = await tinyArtifacts();
  server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).replace(/^\/models\//, '');
    const body = artifacts.files.get(path);
    response.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('fetchReader', () => {
  it('loads and verifies artifacts over HTTP, giving the same scores as the in-memory reader', async () => {
    const overHttp = await ExpressionClassifier.create(fetchReader(baseUrl));
    const inMemory = await ExpressionClassifier.create(artifacts.reader);
    const faces = tf.fill<tf.Rank.R4>([2, 48, 48, 1], 100);
    const [a, b] = [await overHttp.classify(faces), await inMemory.classify(faces)];
    expect(a.map((p) => Array.from(p.svmScores))).toEqual(b.map((p) => Array.from(p.svmScores)));
    overHttp.dispose();
    inMemory.dispose();
  });

  it('reports an HTTP 404 as a missing file, naming it', async () => {
    artifacts.files.delete('svm.bin');
    const error = await loadArtifacts(fetchReader(baseUrl)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect(error).toMatchObject({ file: 'svm.bin', problem: 'missing' });
    expect((error as Error).message).toMatch(/HTTP 404/);
  });
});
