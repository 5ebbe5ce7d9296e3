/**
 * Frames of a recorded video file (MP4 or WebM), decoded one at a time, off the real-time clock.
 *
 * Why WebCodecs (through mediabunny's demuxers) and not an <video> element with seeking: a seek
 * decodes from the previous key frame every time (slow, and inexact about which frame it lands on),
 * and playing at speed drops frames when analysis falls behind. Demuxing and decoding in order
 * gives every frame exactly once with its exact timestamp, as fast as the analysis goes; only a
 * couple of decoded frames are alive at a time, and the file is read in slices from the Blob, so a
 * long 720p recording streams through in constant memory.
 */
import {
  BlobSource,
  Input,
  MATROSKA,
  MP4,
  QTFF,
  UnsupportedInputFormatError,
  VideoSampleSink,
  WEBM,
  type InputVideoTrack,
  type VideoSample,
} from 'mediabunny';
import type { TransferableFrame } from '../analysis/protocol';

export type VideoFileProblem = 'unsupported' | 'corrupt' | 'empty';

/** Why a video can't be analysed (or stopped being analysable), in words for the user. */
export class VideoFileError extends Error {
  override name = 'VideoFileError';
  constructor(
    readonly problem: VideoFileProblem,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface VideoFileInfo {
  width: number;
  height: number;
  durationMs: number;
  codec: string;
}

/** One decoded frame, upright; the receiver owns it: transfer it to the analysis worker or close() it. */
export interface DecodedFrame {
  /** Milliseconds since the video's first frame. */
  tMs: number;
  frame: TransferableFrame;
}

export interface FrameOptions {
  /** Frames closer together than 1/maxFps seconds are skipped (decoded, not analysed). */
  maxFps: number;
  signal?: AbortSignal;
}

/** An opened video file; close() it when done. */
export interface VideoFile {
  info: VideoFileInfo;
  frames(options: FrameOptions): AsyncGenerator<DecodedFrame, void, undefined>;
  close(): void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Opens `file` and checks it has a video track this browser can decode; rejects with a VideoFileError. */
export async function openVideoFile(file: Blob): Promise<VideoFile> {
  if (file.size === 0) throw new VideoFileError('empty', 'The file is empty.');
  const input = new Input({ source: new BlobSource(file), formats: [MP4, QTFF, WEBM, MATROSKA] });
  try {
    let track: InputVideoTrack | null;
    try {
      track = await input.getPrimaryVideoTrack();
    } catch (error) {
      if (error instanceof UnsupportedInputFormatError) {
        throw new VideoFileError('unsupported', 'This is not an MP4 or WebM video. Choose an .mp4 or .webm file.', { cause: error });
      }
      throw new VideoFileError('corrupt', `The video file is damaged and can’t be read (${messageOf(error)}).`, { cause: error });
    }
    if (track === null) throw new VideoFileError('unsupported', 'The file has no video track.');
    const codec = (await track.getCodec()) ?? 'unknown';
    if (!(await track.canDecode())) {
      throw new VideoFileError('unsupported', `This browser can’t decode the video’s ${codec} codec. Convert it to VP9 WebM or H.264 MP4.`);
    }
    const info: VideoFileInfo = {
      width: await track.getDisplayWidth(),
      height: await track.getDisplayHeight(),
      durationMs: (await input.computeDuration([track])) * 1000,
      codec,
    };
    if (info.width === 0 || info.height === 0) throw new VideoFileError('corrupt', 'The video has no picture size.');
    return { info, frames: (options) => decodeFrames(track, info, options), close: () => input.dispose() };
  } catch (error) {
    input.dispose();
    throw error instanceof VideoFileError
      ? error
      : new VideoFileError('corrupt', `The video file can’t be read (${messageOf(error)}).`, { cause: error });
  }
}

async function* decodeFrames(track: InputVideoTrack, info: VideoFileInfo, options: FrameOptions): AsyncGenerator<DecodedFrame, void, undefined> {
  const upright = new UprightFrames(info);
  const minGapMs = 1000 / options.maxFps;
  const firstMs = (await track.getFirstTimestamp()) * 1000;
  let nextMs = 0;
  /** End of the last decoded frame: a file cut short decodes fewer frames than its index promises, without an error. */
  let endMs = 0;
  const samples = new VideoSampleSink(track).samples();
  try {
    for await (const sample of samples) {
      try {
        options.signal?.throwIfAborted();
        const tMs = sample.timestamp * 1000 - firstMs;
        endMs = tMs + sample.duration * 1000;
        // Half a millisecond of slack: container timestamps are rounded.
        if (tMs + 0.5 < nextMs) continue;
        nextMs = tMs + minGapMs;
        yield { tMs: Math.max(0, tMs), frame: upright.of(sample) };
      } finally {
        sample.close();
      }
    }
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    throw new VideoFileError('corrupt', `The video stopped decoding part-way (${messageOf(error)}). The frames analysed so far are kept.`, {
      cause: error,
    });
  }
  if (info.durationMs - endMs > TRUNCATION_SLACK_MS) {
    const at = (s: number) => `${(s / 1000).toFixed(1)} s`;
    throw new VideoFileError(
      'corrupt',
      `The video ended at ${at(endMs)} of ${at(info.durationMs)}: the file is damaged or incomplete. The frames analysed so far are kept.`,
    );
  }
}

/**
 * Decoded samples as frames the page hands to the worker without copying their pixels: the
 * decoder's own VideoFrame when the sample is stored upright in square pixels, else the sample
 * drawn upright (rotation and flip metadata: phones record portrait video that way) on an
 * offscreen canvas and taken off it as an ImageBitmap.
 */
class UprightFrames {
  private drawn: { canvas: OffscreenCanvas; context: OffscreenCanvasRenderingContext2D } | undefined;

  constructor(private readonly info: VideoFileInfo) {}

  of(sample: VideoSample): TransferableFrame {
    const { rotation, flip, pixelAspectRatio } = sample;
    if (rotation === 0 && !flip && pixelAspectRatio.num === pixelAspectRatio.den) return sample.toVideoFrame();
    const { canvas, context } = (this.drawn ??= this.offscreen());
    sample.draw(context, 0, 0, canvas.width, canvas.height);
    return canvas.transferToImageBitmap();
  }

  private offscreen(): { canvas: OffscreenCanvas; context: OffscreenCanvasRenderingContext2D } {
    const canvas = new OffscreenCanvas(this.info.width, this.info.height);
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2D offscreen canvas context');
    return { canvas, context };
  }
}

/** How far short of its stated duration a video may end (rounding, a last frame's length). */
const TRUNCATION_SLACK_MS = 500;
