/**
 * A small HTTP client of the gateway for the end-to-end tests: JSON requests with the caller's
 * bearer token, and a server-sent events reader. A client given the user's own key follows the
 * gateway's 202 signing steps transparently (the user's own process signs: docs/api.md).
 */
import { followSigning, type SigningKey } from '@impact-ledger/gateway';
import { expect } from 'chai';
import http from 'node:http';

/** A response: status, headers, raw text and the parsed JSON body (if any). */
export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

/** One server-sent event. */
export interface SseEvent {
  id: string;
  event: string;
  data: { name: string; txId: string; blockNumber: number; payload: unknown };
}

/** Requests to one gateway as one caller. */
export class HttpClient {
  constructor(private readonly baseUrl: () => string, private readonly token: string | undefined, readonly signingKey?: SigningKey) {}

  /** Sends a request (following signing steps with the user's key, if it has one); never throws for an HTTP error status. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const first = await this.#sendOnce(method, path, body, headers);
    if (this.signingKey === undefined) return first;
    return followSigning(first, this.signingKey, (signUrl, signature) => this.#sendOnce('POST', signUrl, signature, {}));
  }

  async #sendOnce(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<HttpResponse> {
    try {
      return await this.#send(method, path, body, headers);
    } catch (error) {
      // a kept-alive socket to a gateway that restarted: retry once on a new connection, as a client would
      if (!(error instanceof TypeError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return this.#send(method, path, body, headers);
    }
  }

  async #send(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<HttpResponse> {
    const response = await fetch(`${this.baseUrl()}${path}`, {
      method,
      headers: {
        ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = {};
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  }

  /** Sends a request and asserts its status; the parsed body. */
  async json<T>(method: string, path: string, body: unknown, status: number, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.request(method, path, body, headers);
    expect(response.status, `${method} ${path}: ${response.text}`).to.equal(status);
    return response.body as T;
  }

  /** Same client with no token. */
  anonymous(): HttpClient {
    return new HttpClient(this.baseUrl, undefined);
  }

  /** Same caller, answered 202 signing steps as they come (the test signs them itself). */
  withoutSigning(): HttpClient {
    return new HttpClient(this.baseUrl, this.token);
  }

  /**
   * Opens GET /v1/events and collects events until `until` says stop or `timeoutMs` passes;
   * resolves with what arrived.
   */
  events(options: { lastEventId?: string; from?: 'start'; until: (events: SseEvent[]) => boolean; timeoutMs: number }): Promise<SseEvent[]> {
    const url = new URL(`${this.baseUrl()}/v1/events${options.from ? '?from=start' : ''}`);
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    return new Promise((resolve, reject) => {
      const events: SseEvent[] = [];
      let buffer = '';
      const request = http.get(url, { headers }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`GET /v1/events: ${response.statusCode}`));
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = parseFrame(frame);
            if (event !== undefined) events.push(event);
          }
          if (options.until(events)) finish();
        });
      });
      const timer = setTimeout(finish, options.timeoutMs);
      request.on('error', (error) => { if (!request.destroyed) reject(error); });
      function finish(): void {
        clearTimeout(timer);
        request.destroy();
        resolve(events);
      }
    });
  }
}

function parseFrame(frame: string): SseEvent | undefined {
  const fields = new Map<string, string>();
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
  }
  const id = fields.get('id');
  const data = fields.get('data');
  if (id === undefined || data === undefined) return undefined;
  return { id, event: fields.get('event') ?? 'message', data: JSON.parse(data) as SseEvent['data'] };
}
