/**
 * The console API from the command line: URL and token from the options or
 * PORTENT_URL / PORTENT_TOKEN (the token never needs to appear in `ps`), JSON
 * requests, and the live event stream.
 */
export interface Target {
  readonly url: string;
  readonly token: string;
}

export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function target(opts: { url?: string | undefined; token?: string | undefined }, env: NodeJS.ProcessEnv): Target {
  const url = (opts.url ?? env['PORTENT_URL'] ?? 'http://127.0.0.1:8090').replace(/\/$/, '');
  const token = opts.token ?? env['PORTENT_TOKEN'];
  if (token === undefined || token === '') throw new CliError('a token is needed: --token or PORTENT_TOKEN (npm start prints one)', 2);
  return { url, token };
}

export async function request<T>(t: Target, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${t.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${t.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (err) {
    throw new CliError(`${t.url} did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  const parsed: unknown = text === '' ? null : JSON.parse(text);
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new CliError(`${method} ${path}: ${res.status} ${e?.code ?? ''} ${e?.message ?? text}`.trim());
  }
  return parsed as T;
}

/** Splits an event stream into its messages' data (HTML standard: `data:` lines, a blank line ends a message). */
export class EventStreamParser {
  #buffer = '';

  push(chunk: string): string[] {
    this.#buffer += chunk;
    const out: string[] = [];
    for (let end = this.#buffer.indexOf('\n\n'); end >= 0; end = this.#buffer.indexOf('\n\n')) {
      const data = this.#buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      this.#buffer = this.#buffer.slice(end + 2);
      if (data !== '') out.push(data);
    }
    return out;
  }
}

/** Calls `onData` with each message's data until the stream ends or `signal` aborts. */
export async function follow(t: Target, onData: (data: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(`${t.url}/v1/events`, { headers: { authorization: `Bearer ${t.token}` }, signal }).catch((err: unknown) => {
    throw new CliError(`${t.url} did not answer: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (!res.ok || res.body === null) throw new CliError(`GET /v1/events: ${res.status}`);
  const parser = new EventStreamParser();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const data of parser.push(value)) onData(data);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}
