/**
 * Random damage to a file's bytes for property tests of loaders (core's artifacts, train's datasets):
 * truncations, byte flips, inserted bytes and plain garbage. Positions are fractions of the file's
 * length, so one damage fits any file.
 */
import fc from 'fast-check';

export type Damage =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; flips: { at: number; xor: number }[] }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'garbage'; bytes: Uint8Array };

// Spread over the whole file (fast-check's doubles cluster at 0 and 1, i.e. at the file's ends).
const fraction = fc.integer({ min: 0, max: 9_999 }).map((n) => n / 10_000);

export const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
  fc.record({
    kind: fc.constant('flip' as const),
    flips: fc.array(fc.record({ at: fraction, xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: fraction, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ maxLength: 4096 }) }),
);

/** `bytes` with `d` applied (a new array; `bytes` is left as it was). */
export function applyDamage(bytes: Uint8Array, d: Damage): Uint8Array {
  const at = (f: number) => Math.floor(f * bytes.length);
  switch (d.kind) {
    case 'truncate':
      return bytes.slice(0, at(d.at));
    case 'flip': {
      const out = bytes.slice();
      for (const { at: f, xor } of d.flips) if (out.length > 0) out[at(f)] = out[at(f)]! ^ xor;
      return out;
    }
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at(d.at)), ...d.bytes, ...bytes.subarray(at(d.at))]);
    case 'garbage':
      return d.bytes;
  }
}
