/**
 * The one way the dashboard talks to the server. A problem+json answer (RFC 9457) becomes an
 * `ApiError` carrying the catalogue's code (contracts/errors.ts) and the field errors, so a page
 * can say what went wrong and a form can put each message on its field.
 */
import type { ErrorCode } from '../../../../contracts/errors.ts';
import type { Problem } from '../../../../contracts/problem.ts';
import { markReachable, markUnreachable } from '../offline/connectivity.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | undefined;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined) {
    super(problem?.detail ?? problem?.title ?? `the server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.code = problem?.code as ErrorCode | undefined;
  }

  /** Field errors by JSON pointer (`/body/name` → "is already taken"). */
  get fieldErrors(): Record<string, string> {
    return Object.fromEntries((this.problem?.errors ?? []).map((error) => [error.pointer, error.detail]));
  }
}

export interface ApiOptions {
  method?: string;
  body?: unknown;
  /** Statuses whose body is an answer rather than an error (a failing health report is a 503). */
  answers?: number[];
  signal?: AbortSignal;
  /** The X-Organization/X-Project headers to act in, instead of the scope picked now (a queued action keeps its own). */
  scope?: Record<string, string>;
}

/** Calls the API; on the server, rendering passes one that calls the app in process (same auth). */
export type Api = <T>(path: string, options?: ApiOptions) => Promise<T>;

export async function readAnswer<T>(response: Response, answers: number[] = []): Promise<T> {
  const type = response.headers.get('content-type') ?? '';
  if (response.ok || answers.includes(response.status)) {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  const problem = type.includes('application/problem+json') ? ((await response.json().catch(() => undefined)) as Problem | undefined) : undefined;
  throw new ApiError(response.status, problem);
}

/**
 * The last answer of each read that carried an ETag, so a poll asks "changed since?" and an
 * unchanged report costs a 304 instead of the whole body again. Bounded: the oldest is dropped.
 */
const remembered = new Map<string, { etag: string; value: unknown }>();
const REMEMBERED_MAX = 50;

/** The browser's API: same-origin fetch with the session cookie, and the CSRF token on writes. */
export const browserApi: Api = async (path, { method = 'GET', body, answers, signal, scope = scopeHeaders } = {}) => {
  const headers: Record<string, string> = { accept: 'application/json' };
  const previous = method === 'GET' ? remembered.get(path) : undefined;
  if (previous) headers['if-none-match'] = previous.etag;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = method === 'GET' ? undefined : csrfToken;
  if (csrf) headers['x-csrf-token'] = csrf;
  Object.assign(headers, scope);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    // A network failure (not an abort): the offline banner says so, and the queue waits.
    if (error instanceof TypeError) markUnreachable();
    throw error;
  }
  // An answer from the service worker's cache means the network failed (shared/offline).
  if (response.headers.has('x-wk-from-cache')) markUnreachable();
  else markReachable();
  if (response.status === 304 && previous) return previous.value as never;
  const value = await readAnswer(response, answers);
  const etag = response.headers.get('etag');
  if (method === 'GET' && etag) {
    remembered.delete(path);
    remembered.set(path, { etag, value });
    if (remembered.size > REMEMBERED_MAX) remembered.delete(remembered.keys().next().value!);
  }
  return value as never;
};

let csrfToken: string | undefined;

/** The session's CSRF token, from the page the server rendered, sent with every write. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

let scopeHeaders: Record<string, string> = {};

/** The organization and project picked in the header (the server validated them), sent with every call. */
export function setApiScope(scope: { organizationId: string; projectId: string | null } | undefined): void {
  scopeHeaders = scope ? { 'x-organization': scope.organizationId, ...(scope.projectId ? { 'x-project': scope.projectId } : {}) } : {};
}

/** The scope calls act in now, for what is sent later (the offline queue). */
export const currentScopeHeaders = (): Record<string, string> => ({ ...scopeHeaders });
