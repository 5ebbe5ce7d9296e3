/**
 * The page's memory of backends (localStorage): the measured choice per device, so the
 * measurement runs on the first start only, and the backend the user picked in Settings.
 */
import { BACKEND_NAMES, backendOverride, type BackendName, type BackendReport, type BackendRequest, type RememberedChoice } from './backendChoice';

const MEASURED_KEY = 'fer.backend.measured';
const USER_KEY = 'fer.backend.user';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    // Storage disabled (privacy settings): nothing remembered.
    return null;
  }
}

function write(key: string, value: string | undefined): void {
  try {
    if (value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage disabled or full: the choice is made again next time.
  }
}

/** The measured choice kept for this device, when it parses. */
function remembered(): RememberedChoice | undefined {
  try {
    const value = JSON.parse(read(MEASURED_KEY) ?? 'null') as Partial<RememberedChoice> | null;
    return value !== null && BACKEND_NAMES.includes(value.name as BackendName) && typeof value.device === 'object'
      ? (value as RememberedChoice)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The backend the user picked in Settings, if any. */
export function userBackend(): BackendName | undefined {
  const value = read(USER_KEY);
  return BACKEND_NAMES.find((name) => name === value);
}

/** Picks a backend for this page load, or `undefined` to measure again (Settings' "automatic"). */
export function setUserBackend(name: BackendName | undefined): void {
  write(USER_KEY, name);
  if (name === undefined) write(MEASURED_KEY, undefined);
}

/** What to ask the worker for: `?backend=`, else the user's pick, else the remembered (or a new) measurement. */
export function backendRequest(search: string): BackendRequest {
  const url = backendOverride(search);
  if (url !== undefined) return { force: url, by: 'url' };
  const user = userBackend();
  if (user !== undefined) return { force: user, by: 'user' };
  return { remembered: remembered() };
}

/** Keeps a fresh measurement for the next start on this device. */
export function rememberChoice(report: BackendReport): void {
  if (report.how !== 'measured') return;
  const choice: RememberedChoice = { name: report.name, device: report.device, timings: report.timings, skipped: report.skipped };
  write(MEASURED_KEY, JSON.stringify(choice));
}
