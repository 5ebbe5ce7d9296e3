import { frameSize, type VideoFrameSource } from '../detection/faceDetector';
import { readableContext } from './analyze';

/**
 * A still copy of the current video frame, which detection and cropping both read. Two reasons:
 * they see the same frame (a playing video moves on while the detector runs), and MediaPipe
 * reads a canvas about twice as fast as a video element (measured in headless Chromium on this
 * project's 2-core machine: 7 ms to copy a 640x480 frame, then 15 ms to detect on the copy,
 * against 34 ms on the video).
 */
export class FrameCanvas {
  private readonly canvas = document.createElement('canvas');
  private readonly context = readableContext(this.canvas);

  /** The frame `source` shows, as a canvas: a copy, or `source` itself when it is already a canvas. */
  hold(source: VideoFrameSource): HTMLCanvasElement {
    if (source instanceof HTMLCanvasElement) return source;
    const [width, height] = frameSize(source);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context.drawImage(source, 0, 0);
    return this.canvas;
  }
}
