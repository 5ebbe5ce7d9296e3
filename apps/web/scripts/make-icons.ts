/**
 * Writes the app's PNG icons (static/icons/) from one drawing: a smiling face on the accent colour.
 * Pure Node (zlib), so no image tooling is needed; rerun after changing the drawing:
 *
 *   node --import tsx scripts/make-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BACKGROUND = [0x10, 0x14, 0x18] as const;
const ACCENT = [0x7c, 0xc4, 0xff] as const;
const INK = [0x06, 0x12, 0x1d] as const;

type Rgb = readonly [number, number, number];
/** Colour at (x, y) in a unit square, or undefined for transparent. */
type Drawing = (x: number, y: number) => Rgb | undefined;

/** The face, `r` = its radius as a fraction of the icon; `fill` paints the corners too. */
function face(r: number, fill: boolean): Drawing {
  return (x, y) => {
    const dx = x - 0.5;
    const dy = y - 0.5;
    const d = Math.hypot(dx, dy);
    if (d > r) return fill ? BACKGROUND : undefined;
    const eye = r * 0.13;
    if (Math.hypot(Math.abs(dx) - r * 0.36, dy + r * 0.22) < eye) return INK;
    // Smile: a band of the circle of radius 0.55r centred at the face centre, lower half only.
    const smile = Math.hypot(dx, dy + r * 0.05);
    if (dy > r * 0.08 && Math.abs(smile - r * 0.55) < r * 0.08) return INK;
    return ACCENT;
  };
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Renders `draw` at `size` px with 4x4 supersampling (smooth edges) into an RGBA PNG. */
function png(size: number, draw: Drawing): Buffer {
  const S = 4;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      let [r, g, b, covered] = [0, 0, 0, 0];
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = draw((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          if (c === undefined) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          covered++;
        }
      }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = covered === 0 ? 0 : Math.round(r / covered);
      raw[o + 1] = covered === 0 ? 0 : Math.round(g / covered);
      raw[o + 2] = covered === 0 ? 0 : Math.round(b / covered);
      raw[o + 3] = Math.round((255 * covered) / (S * S));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array())]);
}

const out = new URL('../static/icons/', import.meta.url);
const icons: [string, number, Drawing][] = [
  ['icon-192.png', 192, face(0.48, false)],
  ['icon-512.png', 512, face(0.48, false)],
  // Maskable: the platform crops to any shape inside the central 80% circle, so fill edge to edge.
  ['maskable-512.png', 512, face(0.36, true)],
  // iOS draws transparency as black and rounds the corners itself.
  ['apple-touch-icon.png', 180, face(0.42, true)],
];
for (const [name, size, draw] of icons) {
  writeFileSync(new URL(name, out), png(size, draw));
  console.log(`wrote static/icons/${name}`);
}
