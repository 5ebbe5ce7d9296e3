/** What the audience bench's Node side asks its page, and what a pass returns. */

export interface PassPlan {
  /** false: decode every frame only; true: analyse into a saved session. */
  analyse: boolean;
  /** Frames closer together than 1/maxFps are decoded but not analysed (or counted). */
  maxFps: number;
}

export interface AudiencePass extends PassPlan {
  /** Frames delivered (decoded, or analysed). */
  frames: number;
  /** Faces found, over all analysed frames. */
  faces: number;
  wallMs: number;
  /** Length of the video. */
  videoMs: number;
  heapAtStart: number;
  peakHeap: number;
  heapAtEnd: number;
  /** Frames the session could not save (0 unless storage failed). */
  unsavedFrames: number;
  storageError: string | undefined;
}
