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

  it('keeps a lean training summary: the history and searches a full record carries are left to report.json', async () => {
    const { manifest } = await tinyArtifacts();
    const full = { ...manifest.training, history: [{ epoch: 1, accuracy: 0.5 }], svmCSearch: [{ C: 1, accuracy: 0.5 }] };
    const parsed = ManifestSchema.parse({ ...manifest, training: full });
    expect(parsed.training).toEqual(manifest.training);
    expect(JSON.stringify(parsed)).not.toContain('history');
  });
});
