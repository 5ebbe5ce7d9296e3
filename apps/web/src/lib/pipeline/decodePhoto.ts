import { fitScale } from '../render/geometry';

/** A picked photo, decoded and scaled: shown from `canvas`, analysed from `bitmap` (a copy, to transfer to the worker). */
export interface DecodedPhoto {
  canvas: HTMLCanvasElement;
  bitmap: ImageBitmap;
}

/**
 * Decodes an image file (EXIF orientation applied) and scales its longer side to at most
 * `maxSide`: the detector and 48x48 crops gain nothing from more pixels. Undefined when the
 * browser cannot decode it.
 */
export async function decodePhoto(file: Blob, maxSide = 1280): Promise<DecodedPhoto | undefined> {
  let source: ImageBitmap;
  try {
    source = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return undefined;
  }
  const canvas = document.createElement('canvas');
  const scale = fitScale(source.width, source.height, maxSide);
  canvas.width = Math.round(source.width * scale);
  canvas.height = Math.round(source.height * scale);
  canvas.getContext('2d')?.drawImage(source, 0, 0, canvas.width, canvas.height);
  source.close();
  return { canvas, bitmap: await createImageBitmap(canvas) };
}
