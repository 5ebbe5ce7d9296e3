import { describe, expect, it } from 'vitest';
import { DEFAULT_CROP_MARGIN, ManifestSchema } from '../src/index.js';
import { tinyArtifacts } from './tinyArtifacts.js';

describe('ManifestSchema', () => {
  it('gives manifests written before the crop margin was recorded the margin their models were made for', async () => {
    const { manifest } = await tinyArtifacts();
    const { cropMargin: _omitted, ...older } = manifest.input;
    const parsed = ManifestSchema.parse({ ...manifest, input: older });
    expect(parsed.input.cropMargin).toBe(DEFAULT_CROP_MARGIN);
    expect(ManifestSchema.parse({ ...manifest, input: { ...older, cropMargin: 0.3 } }).input.cropMargin).toBe(0.3);
  });
});
