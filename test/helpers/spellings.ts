/**
 * Other spellings of one request path, for authentication sweeps: each reaches either the same
 * route (the router decodes it: it must then authenticate) or no route (404). None of them may
 * ever reach a handler without a token.
 */

/** One spelling: a name for messages and the exact request target to send. */
export interface Spelling {
  readonly name: string;
  readonly target: string;
}

/** Percent-encodes the first ASCII letter or digit of every static segment (`v1` -> `%761`). */
function encodeFirstCharacters(path: string): string {
  return path.split('/').map((segment) => segment.replace(/^[A-Za-z0-9]/, (c) => `%${c.charCodeAt(0).toString(16)}`)).join('/');
}

/** Percent-encodes every ASCII letter and digit (existing escapes kept), with upper-case hex. */
function encodeEverything(path: string): string {
  return path.replace(/%[0-9A-Fa-f]{2}|[A-Za-z0-9]/g, (c) => (c.length === 3 ? c : `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
}

/** The spellings of `path` (a concrete path starting with `/`, without query) sent to `host` (`127.0.0.1:3001`). */
export function spellingsOf(path: string, host: string, query = ''): Spelling[] {
  const [, first = '', ...rest] = path.split('/');
  const tail = rest.join('/');
  const spellings: [string, string][] = [
    ['canonical', path],
    ['percent-encoded first letters', encodeFirstCharacters(path)],
    ['percent-encoded everything', encodeEverything(path)],
    ['double-encoded', path.replace(/^\/(.)/, (_m, c: string) => `/%25${c.charCodeAt(0).toString(16)}`)],
    ['leading double slash', `/${path}`],
    ['inner double slash', `/${first}//${tail}`],
    ['dot segment', `/${first}/../${first}/${tail}`],
    ['single-dot segment', `/${first}/./${tail}`],
    ['encoded dot segment', `/${first}/%2e%2e/${first}/${tail}`],
    ['upper case', path.toUpperCase()],
    ['mixed case', path.replace(/[a-z]/, (c) => c.toUpperCase())],
    ['matrix parameter', `${path};x=1`],
    ['matrix parameter on the first segment', `/${first};x/${tail}`],
    ['trailing slash', `${path}/`],
    ['encoded slash', `/${first}%2F${tail}`],
    ['absolute form', `http://${host}${path}`],
    ['absolute form, percent-encoded', `http://${host}${encodeFirstCharacters(path)}`],
    ['absolute form, foreign host', `http://evil.example${path}`],
    ['absolute form, https scheme', `https://${host}${path}`],
  ];
  return spellings.map(([name, target]) => ({ name, target: `${target}${query}` }));
}
