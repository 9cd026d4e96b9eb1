/**
 * HTTP requests with the request target sent exactly as given (absolute form, dot segments,
 * percent escapes: no client-side normalisation), each on a fresh connection.
 */
import http from 'node:http';

/** A raw response: status, headers, body text; `timedOut` when no complete response came in time. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  timedOut: boolean;
}

/**
 * Sends `method target` to `port` with the target exactly as given (no normalisation, any form),
 * on a fresh connection; resolves with what came back within `timeoutMs`.
 */
export function rawRequest(port: number, method: string, target: string, options: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const length = options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) };
    const request = http.request({ host: '127.0.0.1', port, method, path: target, agent: false, headers: { ...length, ...options.headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => finish({ status: response.statusCode ?? 0, headers: response.headers, text, timedOut: false }));
      timer.refresh();
      onTimeout = () => finish({ status: response.statusCode ?? 0, headers: response.headers, text, timedOut: true });
    });
    let onTimeout = (): void => finish({ status: 0, headers: {}, text: '', timedOut: true });
    const timer = setTimeout(() => onTimeout(), options.timeoutMs ?? 3_000);
    function finish(response: RawResponse): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(response);
    }
    // a response the client cannot parse (e.g. a body after a HEAD) is an answer too: status 0
    request.on('error', (error) => finish({ status: 0, headers: {}, text: `client error: ${error.message}`, timedOut: false }));
    request.end(options.body);
  });
}
