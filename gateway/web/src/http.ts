/**
 * The dashboard's calls to the gateway's /v1 API. The token lives in this tab's sessionStorage
 * only (gone with the tab), never in localStorage, a cookie or a URL; it travels only in the
 * Authorization header of same-origin API calls.
 */
export const TOKEN_KEY = 'impact-ledger-token';

export class ApiFailure extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

const authorization = (): string => `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`;

export async function api<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { authorization: authorization() } });
  const body = (await response.json()) as T & { detail?: string; code?: string };
  if (!response.ok) throw new ApiFailure(response.status, `${body.code ?? response.status}: ${body.detail ?? ''}`);
  return body;
}

/** POSTs JSON and returns the status and the parsed body whatever the status (202 signing steps, problems). */
export async function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { authorization: authorization(), 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON: kept as text */ }
  return { status: response.status, body: parsed };
}
