/** Hex SHA-256 of some bytes, through Web Crypto so the same code runs in Node 20+ and browsers. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // Web Crypto takes only ArrayBuffer-backed views; Node Buffers may share a pooled one.
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(bytes));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
