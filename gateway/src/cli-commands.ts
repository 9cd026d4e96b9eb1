/**
 * The commands of the `impact-ledger` CLI: one per gateway route (a unit test checks every route
 * of the OpenAPI document has one, so the two cannot drift). Each names its route, builds the
 * HTTP request from its arguments and says how to print the answer; cli.ts sends it.
 */
import { readFileSync } from 'node:fs';

/** An HTTP request of a command. */
export interface CommandRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** A CLI command. */
export interface Command {
  readonly usage: string;
  readonly summary: string;
  /** The route it calls, as the OpenAPI document spells it: `get /v1/campaigns/{id}`. */
  readonly route: string;
  readonly request: (args: readonly string[]) => CommandRequest;
  /** A paged list (`records`, `cursor`): takes --page-size, --cursor and --all. */
  readonly paged?: true;
  /** The answer is text (CSV, metrics, an event stream), printed as it comes. */
  readonly text?: true;
  /** Long work in steps: repeated (a new Idempotency-Key each time) while the answer's `result.more` is true, progress on stderr. */
  readonly repeat?: true;
}

const enc = encodeURIComponent;

function jsonFile(file: string | undefined): unknown {
  if (file === undefined) throw new Error('a JSON file argument is missing');
  return JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
}

function arg(args: readonly string[], index: number, name: string): string {
  const value = args[index];
  if (value === undefined) throw new Error(`missing <${name}>`);
  return value;
}

function int(args: readonly string[], index: number, name: string): number {
  const text = arg(args, index, name);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`<${name}> must be an integer, not ${text}`);
  return value;
}

/** `?a=1&b=2` of the defined values, or ''. */
function query(values: Record<string, string | undefined>): string {
  const entries = Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

/** `key=value` arguments as an object (for filters). */
function pairs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const at = a.indexOf('=');
    if (at < 1) throw new Error(`expected key=value, got ${a}`);
    out[a.slice(0, at)] = a.slice(at + 1);
  }
  return out;
}

const version = (a: readonly string[]): string => `/v1/protocols/${enc(arg(a, 0, 'id'))}/versions/${int(a, 1, 'version')}`;

/** Every command, by name. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  whoami: { usage: 'whoami', summary: 'your identity and roles', route: 'get /v1/roles/me', request: () => ({ method: 'GET', path: '/v1/roles/me' }) },
  'roles:list': { usage: 'roles:list [mspId]', summary: 'active grants of an MSP (paged)', route: 'get /v1/roles', paged: true, request: (a) => ({ method: 'GET', path: `/v1/roles${query({ mspId: a[0] })}` }) },
  'roles:history': { usage: 'roles:history <identity>', summary: "an identity's grants and revocations (paged)", route: 'get /v1/roles/{identity}/history', paged: true, request: (a) => ({ method: 'GET', path: `/v1/roles/${enc(arg(a, 0, 'identity'))}/history` }) },
  'roles:grant': { usage: 'roles:grant <identity> <role>', summary: 'grant a role (operator)', route: 'post /v1/roles', request: (a) => ({ method: 'POST', path: '/v1/roles', body: { identity: arg(a, 0, 'identity'), role: arg(a, 1, 'role') } }) },
  'roles:revoke': { usage: 'roles:revoke <identity> <role>', summary: 'revoke a role (operator)', route: 'delete /v1/roles/{identity}/{role}', request: (a) => ({ method: 'DELETE', path: `/v1/roles/${enc(arg(a, 0, 'identity'))}/${enc(arg(a, 1, 'role'))}` }) },
  'protocols:register': { usage: 'protocols:register <protocol.json|->', summary: 'register a protocol draft (operator)', route: 'post /v1/protocols', request: (a) => ({ method: 'POST', path: '/v1/protocols', body: jsonFile(a[0]) }) },
  'protocols:activate': { usage: 'protocols:activate <id> <version>', summary: 'activate a version', route: 'post /v1/protocols/{id}/versions/{version}/activate', request: (a) => ({ method: 'POST', path: `${version(a)}/activate` }) },
  'protocols:suspend': { usage: 'protocols:suspend <id> <version>', summary: 'suspend a version', route: 'post /v1/protocols/{id}/versions/{version}/suspend', request: (a) => ({ method: 'POST', path: `${version(a)}/suspend` }) },
  'protocols:retire': { usage: 'protocols:retire <id> <version>', summary: 'retire a version', route: 'post /v1/protocols/{id}/versions/{version}/retire', request: (a) => ({ method: 'POST', path: `${version(a)}/retire` }) },
  'protocols:list': { usage: 'protocols:list', summary: 'every protocol version (paged)', route: 'get /v1/protocols', paged: true, request: () => ({ method: 'GET', path: '/v1/protocols' }) },
  'protocols:versions': { usage: 'protocols:versions <id>', summary: 'the versions of a protocol, oldest first (paged)', route: 'get /v1/protocols/{id}', paged: true, request: (a) => ({ method: 'GET', path: `/v1/protocols/${enc(arg(a, 0, 'id'))}` }) },
  'protocols:get': { usage: 'protocols:get <id> <version>', summary: 'one protocol version', route: 'get /v1/protocols/{id}/versions/{version}', request: (a) => ({ method: 'GET', path: version(a) }) },
  'claims:submit': {
    usage: 'claims:submit <protocolId> <version> <credential.json|-> [proofLevel] [kind=sha256 ...]', summary: 'check a credential and anchor it (submitter); evidence as kind=hash',
    route: 'post /v1/claims',
    request: (a) => ({
      method: 'POST', path: '/v1/claims',
      body: { protocolId: arg(a, 0, 'protocolId'), protocolVersion: int(a, 1, 'version'), credential: jsonFile(a[2]), evidenceHashes: [], ...(a[3] ? { proofLevel: a[3] } : {}), ...(a.length > 4 ? { evidence: pairs(a.slice(4)) } : {}) },
    }),
  },
  'claims:list': { usage: 'claims:list [status=…] [protocolId=… protocolVersion=…]', summary: 'claims, all or filtered (paged)', route: 'get /v1/claims', paged: true, request: (a) => ({ method: 'GET', path: `/v1/claims${query(pairs(a))}` }) },
  'claims:get': { usage: 'claims:get <claimId>', summary: 'a claim', route: 'get /v1/claims/{id}', request: (a) => ({ method: 'GET', path: `/v1/claims/${enc(arg(a, 0, 'claimId'))}` }) },
  'claims:by-credential-hash': { usage: 'claims:by-credential-hash <sha256>', summary: 'the claim anchoring a credential hash', route: 'get /v1/claims/by-credential-hash/{credentialHash}', request: (a) => ({ method: 'GET', path: `/v1/claims/by-credential-hash/${enc(arg(a, 0, 'sha256'))}` }) },
  'claims:withdraw': { usage: 'claims:withdraw <claimId>', summary: 'withdraw a claim', route: 'post /v1/claims/{id}/withdraw', request: (a) => ({ method: 'POST', path: `/v1/claims/${enc(arg(a, 0, 'claimId'))}/withdraw` }) },
  'claims:verifications': { usage: 'claims:verifications <claimId>', summary: 'the verifications of a claim', route: 'get /v1/claims/{id}/verifications', request: (a) => ({ method: 'GET', path: `/v1/claims/${enc(arg(a, 0, 'claimId'))}/verifications` }) },
  'claims:verify': { usage: 'claims:verify <claimId> <approve|reject> <assessedQuantity> <reportHash>', summary: 'record a verification (verifier)', route: 'post /v1/claims/{id}/verifications', request: (a) => ({ method: 'POST', path: `/v1/claims/${enc(arg(a, 0, 'claimId'))}/verifications`, body: { decision: arg(a, 1, 'decision'), assessedQuantity: int(a, 2, 'assessedQuantity'), reportHash: arg(a, 3, 'reportHash') } }) },
  'claims:validate': { usage: 'claims:validate <claimId> <quantity>', summary: 'issue the proof (validator)', route: 'post /v1/claims/{id}/validation', request: (a) => ({ method: 'POST', path: `/v1/claims/${enc(arg(a, 0, 'claimId'))}/validation`, body: { quantity: int(a, 1, 'quantity') } }) },
  'proofs:list': { usage: 'proofs:list <owner=…|protocolId=… [protocolVersion=…]|status=…>', summary: 'proofs by owner, protocol version or status (paged)', route: 'get /v1/proofs', paged: true, request: (a) => ({ method: 'GET', path: `/v1/proofs${query(pairs(a))}` }) },
  'proofs:get': { usage: 'proofs:get <proofId>', summary: 'a proof', route: 'get /v1/proofs/{id}', request: (a) => ({ method: 'GET', path: `/v1/proofs/${enc(arg(a, 0, 'proofId'))}` }) },
  'proofs:provenance': { usage: 'proofs:provenance <proofId>', summary: 'provenance with block numbers (and the claim\'s additionality)', route: 'get /v1/proofs/{id}/provenance', request: (a) => ({ method: 'GET', path: `/v1/proofs/${enc(arg(a, 0, 'proofId'))}/provenance` }) },
  'proofs:audit-bundle': { usage: 'proofs:audit-bundle <proofId>', summary: 'the audit bundle (verify it offline with verify-bundle)', route: 'get /v1/proofs/{id}/audit-bundle', request: (a) => ({ method: 'GET', path: `/v1/proofs/${enc(arg(a, 0, 'proofId'))}/audit-bundle` }) },
  'proofs:settlement': { usage: 'proofs:settlement <proofId>', summary: 'which campaign settled a proof', route: 'get /v1/proofs/{id}/settlement', request: (a) => ({ method: 'GET', path: `/v1/proofs/${enc(arg(a, 0, 'proofId'))}/settlement` }) },
  'signing:sign': { usage: 'signing:sign <session> <signature>', summary: 'send a signature made elsewhere (base64 DER, low S) for a signing step; prints the next step or the answer (--wallet signs every step for you)', route: 'post /v1/signing/{session}', request: (a) => ({ method: 'POST', path: `/v1/signing/${enc(arg(a, 0, 'session'))}`, body: { signature: arg(a, 1, 'signature') } }) },
  'proofs:certificate': { usage: 'proofs:certificate <proofId> [pdf]', summary: 'the retirement certificate of a retired proof (JSON; `pdf`: the PDF, save with > file.pdf)', route: 'get /v1/proofs/{id}/retirement-certificate', text: true, request: (a) => ({ method: 'GET', path: `/v1/proofs/${enc(arg(a, 0, 'proofId'))}/retirement-certificate${a[1] === 'pdf' ? '?format=pdf' : ''}` }) },
  'certificate-issuer': { usage: 'certificate-issuer', summary: 'the did:key this organisation signs retirement certificates with', route: 'get /v1/certificate-issuer', request: () => ({ method: 'GET', path: '/v1/certificate-issuer' }) },
  'proofs:transfer': { usage: 'proofs:transfer <proofId> <newOwner> <quantity>', summary: 'transfer (owner)', route: 'post /v1/proofs/{id}/transfers', request: (a) => ({ method: 'POST', path: `/v1/proofs/${enc(arg(a, 0, 'proofId'))}/transfers`, body: { newOwner: arg(a, 1, 'newOwner'), quantity: int(a, 2, 'quantity') } }) },
  'proofs:retire': { usage: 'proofs:retire <proofId> <quantity> <beneficiary> <purpose>', summary: 'retire (owner)', route: 'post /v1/proofs/{id}/retirements', request: (a) => ({ method: 'POST', path: `/v1/proofs/${enc(arg(a, 0, 'proofId'))}/retirements`, body: { quantity: int(a, 1, 'quantity'), beneficiary: arg(a, 2, 'beneficiary'), purpose: arg(a, 3, 'purpose') } }) },
  'campaigns:open': { usage: 'campaigns:open <campaign.json|->', summary: 'open a campaign (funder)', route: 'post /v1/campaigns', request: (a) => ({ method: 'POST', path: '/v1/campaigns', body: jsonFile(a[0]) }) },
  'campaigns:list': { usage: 'campaigns:list', summary: 'campaigns, in id order (paged)', route: 'get /v1/campaigns', paged: true, request: () => ({ method: 'GET', path: '/v1/campaigns' }) },
  'campaigns:get': { usage: 'campaigns:get <campaignId>', summary: 'a campaign and its progress', route: 'get /v1/campaigns/{id}', request: (a) => ({ method: 'GET', path: `/v1/campaigns/${enc(arg(a, 0, 'campaignId'))}` }) },
  'campaigns:budget': { usage: 'campaigns:budget <campaignId> <budget>', summary: 'set the budget, minor units (its funder)', route: 'post /v1/campaigns/{id}/budget', request: (a) => ({ method: 'POST', path: `/v1/campaigns/${enc(arg(a, 0, 'campaignId'))}/budget`, body: { budget: int(a, 1, 'budget') } }) },
  'campaigns:close': { usage: 'campaigns:close <campaignId>', summary: 'close the campaign, releasing the buffer (its funder)', route: 'post /v1/campaigns/{id}/close', request: (a) => ({ method: 'POST', path: `/v1/campaigns/${enc(arg(a, 0, 'campaignId'))}/close` }) },
  'campaigns:settle': { usage: 'campaigns:settle <campaignId> <proofId>', summary: 'settle an eligible proof (its funder)', route: 'post /v1/campaigns/{id}/settlements', request: (a) => ({ method: 'POST', path: `/v1/campaigns/${enc(arg(a, 0, 'campaignId'))}/settlements`, body: { proofId: arg(a, 1, 'proofId') } }) },
  'campaigns:settlements': { usage: 'campaigns:settlements <campaignId>', summary: 'the settlements of a campaign (paged)', route: 'get /v1/campaigns/{id}/settlements', paged: true, request: (a) => ({ method: 'GET', path: `/v1/campaigns/${enc(arg(a, 0, 'campaignId'))}/settlements` }) },
  'campaigns:export': { usage: 'campaigns:export <campaignId> <YYYY-MM>', summary: 'what is owed per producer for a month (CSV, streamed)', route: 'get /v1/campaigns/{id}/export.csv', text: true, request: (a) => ({ method: 'GET', path: `/v1/campaigns/${enc(arg(a, 0, 'campaignId'))}/export.csv${query({ period: arg(a, 1, 'YYYY-MM') })}` }) },
  'reports:carbon-result': { usage: 'reports:carbon-result <inputs.json|->', summary: 'carbon result of a financing', route: 'post /v1/reports/carbon-result', request: (a) => ({ method: 'POST', path: '/v1/reports/carbon-result', body: jsonFile(a[0]) }) },
  'reports:pcaf': { usage: 'reports:pcaf <holdings.json|->', summary: 'PCAF attribution and data quality ({"holdings": [...]})', route: 'post /v1/reports/pcaf', request: (a) => ({ method: 'POST', path: '/v1/reports/pcaf', body: jsonFile(a[0]) }) },
  'revocations:flag': { usage: 'revocations:flag <credential|issuer> <sha256|DID> <reason>', summary: 'flag a credential or issuer as revoked (operator)', route: 'post /v1/revocations', request: (a) => ({ method: 'POST', path: '/v1/revocations', body: { kind: arg(a, 0, 'kind'), subject: arg(a, 1, 'subject'), reason: arg(a, 2, 'reason') } }) },
  'revocations:clear': { usage: 'revocations:clear <flagId>', summary: 'clear a flag (operator)', route: 'post /v1/revocations/{flagId}/clear', request: (a) => ({ method: 'POST', path: `/v1/revocations/${enc(arg(a, 0, 'flagId'))}/clear` }) },
  'revocations:continue': { usage: 'revocations:continue <flagId>', summary: "run the rest of a flag's cascade (operator)", route: 'post /v1/revocations/{flagId}/continue', request: (a) => ({ method: 'POST', path: `/v1/revocations/${enc(arg(a, 0, 'flagId'))}/continue` }) },
  'revocations:get': { usage: 'revocations:get <flagId>', summary: 'one flag record', route: 'get /v1/revocations/{flagId}', request: (a) => ({ method: 'GET', path: `/v1/revocations/${enc(arg(a, 0, 'flagId'))}` }) },
  'status-lists:publish': { usage: 'status-lists:publish <list-credential.json|->', summary: "publish an issuer's status list (operator or status-publisher)", route: 'put /v1/status-lists', request: (a) => ({ method: 'PUT', path: '/v1/status-lists', body: { credential: jsonFile(a[0]) } }) },
  'status-lists:get': { usage: 'status-lists:get <listUrl>', summary: 'a status list held on the ledger', route: 'get /v1/status-lists', request: (a) => ({ method: 'GET', path: `/v1/status-lists${query({ id: arg(a, 0, 'listUrl') })}` }) },
  'credentials:check': { usage: 'credentials:check <credential.json|->', summary: 'is a credential anchored?', route: 'post /v1/credentials/check', request: (a) => ({ method: 'POST', path: '/v1/credentials/check', body: { credential: jsonFile(a[0]) } }) },
  totals: { usage: 'totals [pillar=…] [groupBy=sdg,year] [key=value ...]', summary: 'totals per pillar and unit', route: 'get /v1/totals', request: (a) => ({ method: 'GET', path: `/v1/totals${query(a.length === 1 && !a[0]?.includes('=') ? { pillar: a[0] } : pairs(a))}` }) },
  'totals:compact': {
    usage: 'totals:compact <pillar> <unit> [limit]', summary: 'fold totals deltas into snapshots until done (operator; progress on stderr)', route: 'post /v1/totals/compaction', repeat: true,
    request: (a) => ({ method: 'POST', path: '/v1/totals/compaction', body: { pillar: arg(a, 0, 'pillar'), unit: arg(a, 1, 'unit'), ...(a[2] === undefined ? {} : { limit: int(a, 2, 'limit') }) } }),
  },
  events: { usage: 'events [from=start] [lastEventId=…]', summary: 'chaincode events as they come (server-sent events; Ctrl-C stops)', route: 'get /v1/events', text: true, request: (a) => ({ method: 'GET', path: `/v1/events${query(pairs(a))}` }) },
  openapi: { usage: 'openapi', summary: 'the OpenAPI document', route: 'get /v1/openapi.json', request: () => ({ method: 'GET', path: '/v1/openapi.json' }) },
  health: { usage: 'health', summary: 'is the gateway alive?', route: 'get /health', request: () => ({ method: 'GET', path: '/health' }) },
  ready: { usage: 'ready', summary: 'is the gateway ready?', route: 'get /ready', request: () => ({ method: 'GET', path: '/ready' }) },
  metrics: { usage: 'metrics', summary: 'Prometheus metrics', route: 'get /metrics', text: true, request: () => ({ method: 'GET', path: '/metrics' }) },
};

/** The --help of one command. */
export function commandHelp(name: string, command: Command): string {
  return [
    `Usage: impact-ledger [--url URL] [--token TOKEN] ${command.usage}${command.paged ? ' [--page-size N] [--cursor C | --all]' : ''}`,
    '',
    `${command.summary}.`,
    `Calls ${command.route.split(' ')[0]?.toUpperCase() ?? ''} ${command.route.split(' ')[1] ?? ''} (docs/api.md).`,
    ...(command.paged ? ['', 'A paged list: prints one page ({records, cursor}); --cursor C reads the next one; --all follows the cursor to the end,',
      'printing one record per line (JSON Lines) and the progress on stderr.'] : []),
    ...(command.text ? ['', 'Prints the answer as it arrives (text).'] : []),
    ...(command.repeat ? ['', 'Long work in steps: runs again while the answer says `more`, each step with its own Idempotency-Key, progress on stderr.'] : []),
    ...(command.route.startsWith('get ') ? [] : ['', 'Sends an Idempotency-Key (random unless --idempotency-key KEY): re-run with the same key after a timeout.']),
    '',
    `Example: impact-ledger ${name}${command.usage.slice(name.length)}`,
  ].join('\n');
}
