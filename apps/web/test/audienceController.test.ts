import { describe, expect, it } from 'vitest';
import { AudienceController } from '../src/lib/audience/audienceController.svelte';
import { SessionRecorder } from '../src/lib/audience/recorder';
import { StorageError } from '../src/lib/audience/store';

const meta = { id: 's1', name: 'Test', source: 'camera' as const, createdAt: 0, width: 640, height: 480 };
const face = { id: 1, box: { x: 10, y: 10, width: 80, height: 80 }, probabilities: [0, 0, 0, 1, 0, 0, 0] };

describe('AudienceController', () => {
  it('keeps a recording in memory, and says why, while the session store is not open', async () => {
    const audience = AudienceController.create();
    const recorder = new SessionRecorder(meta, audience.sink, 2);
    for (const t of [0, 100, 200]) recorder.record(t, [face]);
    await recorder.stop();
    expect(recorder.unsavedFrames).toBe(3);
    expect(recorder.storageError).toBeInstanceOf(StorageError);
    expect((recorder.storageError as Error).message).toMatch(/has not opened yet/);
  });

  it("gives the store's own problem when it cannot open (Node has no IndexedDB)", async () => {
    const audience = AudienceController.create();
    await audience.openStore();
    expect(audience.storageProblem).toBeDefined();
    const recorder = new SessionRecorder(meta, audience.sink);
    recorder.record(0, [face]);
    await recorder.stop();
    expect(recorder.unsavedFrames).toBe(1);
    expect((recorder.storageError as Error).message).toBe(audience.storageProblem);
  });
});
