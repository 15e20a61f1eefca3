/* The console's only way to the server: the management API under /api/v1, authenticated by the session cookie. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

/** Remembers the session's CSRF token (in memory only) for the writes. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the API answers 401: the session ended. */
export function onUnauthorized(listener: () => void): void {
  unauthorizedListeners.add(listener);
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Calls the API and returns its `data`; throws ApiError with the API's code and message. */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => null)) as {
    data?: T;
    error?: { code: string; message: string };
  } | null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/session') for (const listener of unauthorizedListeners) listener();
    throw new ApiError(
      response.status,
      json?.error?.code ?? 'HttpError',
      json?.error?.message ?? `${method} ${path} answered ${response.status}`,
    );
  }
  return json?.data as T;
}

/** A query string from a record, leaving out empty values; lists become repeated parameters. */
export function query(params: Record<string, string | number | undefined | null | string[]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const item of value) search.append(name, item);
    else search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A page of a list endpoint. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  counts?: Record<string, number>;
}
