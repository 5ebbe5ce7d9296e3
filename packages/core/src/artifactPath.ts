import { ArtifactError } from './errors.js';

/**
 * One segment of an artifact path: letters, digits, '_', '-' and '.', not starting with '.'. So no
 * '.' or '..' segment, no hidden files, no '%' escapes (URL parsing decodes '%2e%2e' to '..'), no
 * '\\' (a separator on Windows), no ':' (a URL scheme or a drive letter), no '?' or '#'.
 */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Longer paths are no artifact of ours; the bound keeps messages readable. */
const MAX_LENGTH = 200;

/**
 * Why `path` is not a normalized relative path inside the artifact folder, or undefined when it is.
 * Paths come from manifest.json and model.json, which anyone can edit: followed blindly, they read
 * /etc/passwd in Node or send requests to another origin in the browser. A whitelist, so that a
 * reader on any platform (file system, URL) resolves an accepted path inside the folder.
 */
export function artifactPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'it is empty';
  if (path.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) || path.startsWith('//')) return 'it is a URL (artifacts are read from their own folder only)';
  if (path.startsWith('/') || path.startsWith('\\')) return 'it is absolute';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) return "it climbs out with '..'";
  if (segments.some((segment) => segment === '' || segment === '.')) return 'it is not normalized (empty or . segments)';
  const bad = segments.find((segment) => !SEGMENT.test(segment));
  if (bad !== undefined) return `'${bad}' is not a plain file name (letters, digits, '.', '_' and '-', not starting with '.')`;
  return undefined;
}

/**
 * Throws an ArtifactError against `file` (the file that holds the reference) unless `path` is a
 * normalized relative path inside the artifact folder; `field` says where `file` holds it.
 */
export function checkArtifactPath(path: unknown, file: string, field: string): asserts path is string {
  const problem = artifactPathProblem(path);
  if (problem !== undefined) {
    const shown = typeof path === 'string' ? `'${path.slice(0, MAX_LENGTH)}'` : String(path);
    throw new ArtifactError(file, 'invalid', `${field} ${shown} is not a path inside the artifact folder: ${problem}`);
  }
}
