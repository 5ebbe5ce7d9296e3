import { frameSize, type VideoFrameSource } from '../detection/faceDetector';
import { readableContext } from './analyze';

/**
 * A still copy of the current frame, which detection and cropping both read: they see the same
 * pixels, and MediaPipe reads a canvas faster than a video element (in headless Chromium, copying
 * the frame and detecting on the copy took less time than detecting on the video alone).
 */
export class FrameCanvas {
  private readonly canvas = new OffscreenCanvas(1, 1);
  private readonly context = readableContext(this.canvas);

  /** The frame `source` shows, as a canvas: a copy, or `source` itself when it is already an offscreen canvas. */
  hold(source: VideoFrameSource): OffscreenCanvas {
    if (source instanceof OffscreenCanvas) return source;
    const [width, height] = frameSize(source);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context.drawImage(source, 0, 0);
    return this.canvas;
  }
}
