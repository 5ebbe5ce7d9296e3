import { frameSize, type VideoFrameSource } from '../detection/faceDetector';
import { readableContext } from './analyze';

/**
 * A still copy of the current video frame, which detection and cropping both read. Two reasons:
 * they see the same frame (a playing video moves on while the detector runs), and MediaPipe
 * reads a canvas faster than a video element: in headless Chromium, copying the frame and detecting
 * on the copy took less time than detecting on the video alone.
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
