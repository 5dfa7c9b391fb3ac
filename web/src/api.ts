// The JSON API of src/web: every non-GET call carries the CSRF header; errors become ApiError.
import type { Diagnostic } from '../../src/sieve/index.js';

export interface ScriptInfo {
  name: string;
  active: boolean;
  size: number;
  modified: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown, raw?: Uint8Array): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['X-Sievert'] = '1';
  let payload: BodyInit | undefined;
  if (raw) {
    headers['Content-Type'] = 'application/sieve';
    payload = new Blob([raw as Uint8Array<ArrayBuffer>]);
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok)
    throw new ApiError(
      res.status,
      typeof data.code === 'string' ? data.code : 'HTTP',
      typeof data.error === 'string' ? data.error : `HTTP ${res.status}`,
      Array.isArray(data.diagnostics) ? (data.diagnostics as Diagnostic[]) : [],
    );
  return data as T;
}

const script = (name: string): string => `/api/scripts/${encodeURIComponent(name)}`;

export const api = {
  session: () => call<{ user: string }>('GET', '/api/session'),
  login: (user: string, password: string) => call<{ user: string }>('POST', '/api/login', { user, password }),
  logout: () => call<unknown>('POST', '/api/logout'),
  list: () => call<{ scripts: ScriptInfo[] }>('GET', '/api/scripts').then((r) => r.scripts),
  get: (name: string) => call<{ name: string; active: boolean; source: string }>('GET', script(name)),
  put: (name: string, source: string) => call<unknown>('PUT', script(name), { source }),
  upload: (name: string, bytes: Uint8Array) => call<unknown>('PUT', script(name), undefined, bytes),
  remove: (name: string) => call<unknown>('DELETE', script(name)),
  rename: (from: string, to: string) => call<unknown>('POST', `${script(from)}/rename`, { to }),
  activate: (name: string | null) => call<unknown>('POST', '/api/active', { name }),
  downloadUrl: (name: string) => `${script(name)}?download=1`,
};
