#!/usr/bin/env node
/**
 * `impact-ledger`: the operator CLI, thin HTTP calls to a gateway. The URL and token come from
 * `--url`/`--token` or `IL_GATEWAY_URL`/`IL_GATEWAY_TOKEN`. Prints the JSON response; exits 1
 * with the problem details on a refusal. With a wallet (`--wallet`/`IL_WALLET`, as made by
 * `impact-ledger enroll`) it signs the gateway's 202 signing steps locally with the wallet's key.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyBundleFile } from './audit/cli-verify.js';
import { ENROL_USAGE, enroll, reenroll, register } from './enrol/commands.js';
import { followSigning, loadWalletKey } from './signing/client.js';

interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly request: (args: readonly string[]) => { method: string; path: string; body?: unknown };
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

const COMMANDS: Readonly<Record<string, Command>> = {
  whoami: { usage: 'whoami', summary: 'your identity and roles', request: () => ({ method: 'GET', path: '/v1/roles/me' }) },
  'roles:list': { usage: 'roles:list [mspId]', summary: 'active grants', request: (a) => ({ method: 'GET', path: `/v1/roles${a[0] ? `?mspId=${enc(a[0])}` : ''}` }) },
  'roles:grant': { usage: 'roles:grant <identity> <role>', summary: 'grant a role (operator)', request: (a) => ({ method: 'POST', path: '/v1/roles', body: { identity: arg(a, 0, 'identity'), role: arg(a, 1, 'role') } }) },
  'roles:revoke': { usage: 'roles:revoke <identity> <role>', summary: 'revoke a role (operator)', request: (a) => ({ method: 'DELETE', path: `/v1/roles/${enc(arg(a, 0, 'identity'))}/${enc(arg(a, 1, 'role'))}` }) },
  'protocols:register': { usage: 'protocols:register <protocol.json|->', summary: 'register a protocol draft (operator)', request: (a) => ({ method: 'POST', path: '/v1/protocols', body: jsonFile(a[0]) }) },
  'protocols:activate': { usage: 'protocols:activate <id> <version>', summary: 'activate a version', request: (a) => ({ method: 'POST', path: `/v1/protocols/${enc(arg(a, 0, 'id'))}/versions/${arg(a, 1, 'version')}/activate` }) },
  'protocols:suspend': { usage: 'protocols:suspend <id> <version>', summary: 'suspend a version', request: (a) => ({ method: 'POST', path: `/v1/protocols/${enc(arg(a, 0, 'id'))}/versions/${arg(a, 1, 'version')}/suspend` }) },
  'protocols:retire': { usage: 'protocols:retire <id> <version>', summary: 'retire a version', request: (a) => ({ method: 'POST', path: `/v1/protocols/${enc(arg(a, 0, 'id'))}/versions/${arg(a, 1, 'version')}/retire` }) },
  'protocols:get': { usage: 'protocols:get <id> [version]', summary: 'a protocol (all versions, or one)', request: (a) => ({ method: 'GET', path: `/v1/protocols/${enc(arg(a, 0, 'id'))}${a[1] ? `/versions/${a[1]}` : ''}` }) },
  'claims:submit': { usage: 'claims:submit <protocolId> <version> <credential.json|-> [proofLevel]', summary: 'check a credential and anchor it (submitter)', request: (a) => ({ method: 'POST', path: '/v1/claims', body: { protocolId: arg(a, 0, 'protocolId'), protocolVersion: Number(arg(a, 1, 'version')), credential: jsonFile(a[2]), evidenceHashes: [], ...(a[3] ? { proofLevel: a[3] } : {}) } }) },
  'claims:get': { usage: 'claims:get <claimId>', summary: 'a claim', request: (a) => ({ method: 'GET', path: `/v1/claims/${arg(a, 0, 'claimId')}` }) },
  'claims:withdraw': { usage: 'claims:withdraw <claimId>', summary: 'withdraw a claim', request: (a) => ({ method: 'POST', path: `/v1/claims/${arg(a, 0, 'claimId')}/withdraw` }) },
  'claims:verify': { usage: 'claims:verify <claimId> <approve|reject> <assessedQuantity> <reportHash>', summary: 'record a verification (verifier)', request: (a) => ({ method: 'POST', path: `/v1/claims/${arg(a, 0, 'claimId')}/verifications`, body: { decision: arg(a, 1, 'decision'), assessedQuantity: Number(arg(a, 2, 'assessedQuantity')), reportHash: arg(a, 3, 'reportHash') } }) },
  'claims:validate': { usage: 'claims:validate <claimId> <quantity>', summary: 'issue the proof (validator)', request: (a) => ({ method: 'POST', path: `/v1/claims/${arg(a, 0, 'claimId')}/validation`, body: { quantity: Number(arg(a, 1, 'quantity')) } }) },
  'proofs:get': { usage: 'proofs:get <proofId>', summary: 'a proof', request: (a) => ({ method: 'GET', path: `/v1/proofs/${arg(a, 0, 'proofId')}` }) },
  'proofs:provenance': { usage: 'proofs:provenance <proofId>', summary: 'provenance with block numbers', request: (a) => ({ method: 'GET', path: `/v1/proofs/${arg(a, 0, 'proofId')}/provenance` }) },
  'proofs:transfer': { usage: 'proofs:transfer <proofId> <newOwner> <quantity>', summary: 'transfer (owner)', request: (a) => ({ method: 'POST', path: `/v1/proofs/${arg(a, 0, 'proofId')}/transfers`, body: { newOwner: arg(a, 1, 'newOwner'), quantity: Number(arg(a, 2, 'quantity')) } }) },
  'proofs:retire': { usage: 'proofs:retire <proofId> <quantity> <beneficiary> <purpose>', summary: 'retire (owner)', request: (a) => ({ method: 'POST', path: `/v1/proofs/${arg(a, 0, 'proofId')}/retirements`, body: { quantity: Number(arg(a, 1, 'quantity')), beneficiary: arg(a, 2, 'beneficiary'), purpose: arg(a, 3, 'purpose') } }) },
  'credentials:check': { usage: 'credentials:check <credential.json|->', summary: 'is a credential anchored?', request: (a) => ({ method: 'POST', path: '/v1/credentials/check', body: { credential: jsonFile(a[0]) } }) },
  totals: { usage: 'totals [pillar]', summary: 'totals per pillar and unit', request: (a) => ({ method: 'GET', path: `/v1/totals${a[0] ? `?pillar=${enc(a[0])}` : ''}` }) },
  ready: { usage: 'ready', summary: 'is the gateway ready?', request: () => ({ method: 'GET', path: '/ready' }) },
  call: { usage: 'call <METHOD> <path> [body.json|-]', summary: 'any route (e.g. POST /v1/campaigns -)', request: (a) => ({ method: arg(a, 0, 'METHOD').toUpperCase(), path: arg(a, 1, 'path'), ...(a[2] ? { body: jsonFile(a[2]) } : {}) }) },
};

function help(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(72)} ${c.summary}`);
  return [
    'Usage: impact-ledger [--url URL] [--token TOKEN] [--wallet DIR] [--idempotency-key KEY] [--min-block-number N] <command> [args]',
    '',
    'Thin client of an impact-ledger gateway. URL and token default to IL_GATEWAY_URL and IL_GATEWAY_TOKEN.',
    'Mutations send an Idempotency-Key (random unless given), so re-running after a timeout is safe with the same key.',
    'Signing: unless the gateway signs for you (a custodial service account), it answers a mutation with steps to sign;',
    'with --wallet DIR (default IL_WALLET; a wallet made by `enroll`, or a user\'s msp folder) the CLI checks each step',
    '(your certificate, the transaction) and signs it here with the wallet\'s key: the key never leaves this machine.',
    '--min-block-number N answers only once this organisation\'s peer has block N (a block another gateway answered).',
    '',
    'Commands:',
    ...lines,
    '',
    'Enrolment with a key of your own (no gateway; each has --help):',
    `  ${ENROL_USAGE.register.padEnd(72)} register a user at the organisation's CA (operator); prints a one-time secret`,
    `  ${ENROL_USAGE.enroll.padEnd(72)} make a key here, send only a CSR, keep key and certificate in the wallet`,
    `  ${ENROL_USAGE.reenroll.padEnd(72)} new key and certificate, authorised by the current key`,
    '',
    `  ${'verify-bundle <bundle.json> [--trust genesis.block|sha256] [--credential f]'.padEnd(72)} verify an audit bundle offline (no network); exit 1 naming each failed step (verify-bundle --help)`,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'verify-bundle') return verifyBundleFile(argv.slice(1));
  if (argv[0] === 'users:register') return register(argv.slice(1));
  if (argv[0] === 'enroll') return enroll(argv.slice(1));
  if (argv[0] === 'reenroll') return reenroll(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: [...argv], allowPositionals: true,
    options: {
      url: { type: 'string' }, token: { type: 'string' }, wallet: { type: 'string' }, 'idempotency-key': { type: 'string' }, 'min-block-number': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [name, ...args] = positionals;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (values.help === true || command === undefined) {
    console.log(help());
    return values.help === true || name === undefined ? 0 : 2;
  }
  const url = values.url ?? process.env.IL_GATEWAY_URL ?? 'http://127.0.0.1:3001';
  const token = values.token ?? process.env.IL_GATEWAY_TOKEN;
  const { method, path, body } = command.request(args);
  const headers: Record<string, string> = {
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(method === 'GET' ? {} : { 'idempotency-key': values['idempotency-key'] ?? randomUUID() }),
    ...(values['min-block-number'] === undefined ? {} : { 'min-block-number': values['min-block-number'] }),
  };
  const send = async (sendMethod: string, sendPath: string, sendHeaders: Record<string, string>, sendBody: unknown): Promise<{ status: number; body: unknown; text: string }> => {
    const response = await fetch(`${url}${sendPath}`, { method: sendMethod, headers: sendHeaders, ...(sendBody === undefined ? {} : { body: JSON.stringify(sendBody) }) });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text };
  };
  const first = await send(method, path, headers, body);
  const walletDir = values.wallet ?? process.env.IL_WALLET;
  const signHeaders = { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' };
  const final = first.status === 202 && walletDir !== undefined && walletDir !== ''
    ? await followSigning(first, loadWalletKey(walletDir), (signUrl, signature) => send('POST', signUrl, signHeaders, signature))
    : first;
  if (final.status === 202) {
    process.stderr.write(`${final.text}\nthe gateway asks you to sign this transaction: pass --wallet DIR (or set IL_WALLET) with your wallet\n`);
    return 1;
  }
  const ok = final.status >= 200 && final.status < 300;
  (ok ? process.stdout : process.stderr).write(`${final.text}\n`);
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
