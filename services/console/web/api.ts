/**
 * The console API from the browser: the bearer token (kept for the tab's
 * session only), JSON requests, and the live event stream. The stream is
 * read with fetch rather than EventSource because EventSource cannot send an
 * Authorization header, and tokens must not travel in URLs.
 */
import type { LiveEvent } from './types.ts';

const KEY = 'portent-token';

export function token(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(value: string | null): void {
  if (value === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, value);
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  const parsed: unknown = text === '' ? null : JSON.parse(text);
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'HTTP', err?.message ?? `HTTP ${res.status}`);
  }
  return parsed as T;
}

export const get = <T>(path: string): Promise<T> => request<T>('GET', path);

/**
 * Follows /v1/events until `signal` aborts, reconnecting after a drop.
 * Event-stream format: `event:` and `data:` lines, a blank line ends a message.
 */
export async function followEvents(onEvent: (e: LiveEvent) => void, onState: (connected: boolean) => void, signal: AbortSignal): Promise<void> {
  for (let delay = 1000; !signal.aborted; delay = Math.min(delay * 2, 30_000)) {
    try {
      const res = await fetch('/v1/events', { headers: { authorization: `Bearer ${token() ?? ''}` }, signal });
      if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
      onState(true);
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          buffer = buffer.slice(end + 2);
          if (data !== '') onEvent(JSON.parse(data) as LiveEvent);
        }
      }
    } catch {
      // Dropped or refused: retry below, unless the page is going away.
    }
    onState(false);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
