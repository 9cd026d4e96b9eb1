#!/usr/bin/env node
/**
 * `impact-ledger`: the operator CLI, thin HTTP calls to a gateway. The URL and token come from
 * `--url`/`--token` or `IL_GATEWAY_URL`/`IL_GATEWAY_TOKEN`. Prints the JSON response; exits 1
 * with the problem details on a refusal. With a wallet (`--wallet`/`IL_WALLET`, as made by
 * `impact-ledger enroll`) it signs the gateway's 202 signing steps locally with the wallet's key.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { verifyBundleFile } from './audit/cli-verify.js';
import { certificatePdfFile, verifyCertificateFile } from './certificates/cli.js';
import { COMMANDS, commandHelp, type Command, type CommandRequest } from './cli-commands.js';
import { ENROL_USAGE, enroll, reenroll, register } from './enrol/commands.js';
import { followSigning, loadWalletKey, type SigningKey } from './signing/client.js';

function help(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(72)} ${c.summary}`);
  return [
    'Usage: impact-ledger [--url URL] [--token TOKEN] [--wallet DIR] [--idempotency-key KEY] [--min-block-number N] <command> [args]',
    '       (impact-ledger <command> --help)',
    '',
    'Thin client of an impact-ledger gateway. URL and token default to IL_GATEWAY_URL and IL_GATEWAY_TOKEN.',
    'Mutations send an Idempotency-Key (random unless given), so re-running after a timeout is safe with the same key.',
    'Paged lists take --page-size N, --cursor C, or --all (every page, one record per line, progress on stderr).',
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
    `  ${'verify-certificate <certificate.json|.pdf> [--issuer did:key]'.padEnd(72)} verify a retirement certificate offline (no network; verify-certificate --help)`,
    `  ${'certificate-pdf <certificate.json> [-o out.pdf]'.padEnd(72)} render a retirement certificate as PDF, offline`,
  ].join('\n');
}

/** Where and as whom the CLI calls the gateway. */
interface Target {
  readonly url: string;
  readonly token: string | undefined;
  readonly idempotencyKey: string | undefined;
  /** Signs the gateway's signing steps here (--wallet); undefined: a 202 is an error. */
  readonly wallet: SigningKey | undefined;
  readonly minBlockNumber: string | undefined;
}

interface Answer { readonly status: number; readonly body: unknown; readonly text: string }

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/**
 * The one place the CLI sends an HTTP request to the gateway. A 202 (the gateway asks the caller
 * to sign) is followed here with the wallet's key, each step checked before it is signed.
 */
async function send(target: Target, { method, path, body }: CommandRequest): Promise<Response> {
  const auth = target.token === undefined ? {} : { authorization: `Bearer ${target.token}` };
  const headers: Record<string, string> = {
    ...auth,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(method === 'GET' ? {} : { 'idempotency-key': target.idempotencyKey ?? randomUUID() }),
    ...(target.minBlockNumber === undefined ? {} : { 'min-block-number': target.minBlockNumber }),
  };
  const response = await fetch(`${target.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  // signing:sign sends one step's signature itself: it prints the next step, it does not follow it
  if (response.status !== 202 || path.startsWith('/v1/signing/')) return response;
  if (target.wallet === undefined) {
    throw new Error(`${await response.text()}\nthe gateway asks you to sign this transaction: pass --wallet DIR (or set IL_WALLET) with your wallet`);
  }
  const signed = await followSigning(await answerOf(response), target.wallet, async (signUrl, signature) =>
    answerOf(await fetch(`${target.url}${signUrl}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(signature) })));
  return new Response(signed.text, { status: signed.status, headers: { 'content-type': 'application/json' } });
}

/** Prints a refusal (problem details) on stderr; exit code 1. */
async function refused(response: Response): Promise<number> {
  process.stderr.write(`${await response.text()}\n`);
  return 1;
}

function withPage(request: CommandRequest, pageSize: string | undefined, cursor: string): CommandRequest {
  const url = new URL(request.path, 'http://cli');
  if (pageSize !== undefined) url.searchParams.set('pageSize', pageSize);
  if (cursor !== '') url.searchParams.set('cursor', cursor);
  return { ...request, path: `${url.pathname}${url.search}` };
}

/** --all: follows the cursor to the end, one record per line on stdout, progress on stderr. */
async function everyPage(target: Target, request: CommandRequest, pageSize: string | undefined): Promise<number> {
  let cursor = '';
  let total = 0;
  for (let page = 1; ; page++) {
    const response = await send(target, withPage(request, pageSize, cursor));
    if (!response.ok) return refused(response);
    const body = (await response.json()) as { records?: unknown[]; cursor?: unknown };
    const records = Array.isArray(body.records) ? body.records : [];
    for (const record of records) process.stdout.write(`${JSON.stringify(record)}\n`);
    total += records.length;
    process.stderr.write(`page ${page}: ${records.length} records (${total} in all)\n`);
    if (typeof body.cursor !== 'string' || body.cursor === '') return 0;
    cursor = body.cursor;
  }
}

/** Prints a text answer as it arrives (CSV, metrics, server-sent events). */
async function streamText(response: Response): Promise<number> {
  if (response.body === null) return 0;
  for await (const chunk of response.body) process.stdout.write(chunk);
  return 0;
}

/** Long work in steps: sends `request` again while the committed answer says `more`, with progress on stderr. */
async function untilDone(target: Target, request: CommandRequest): Promise<number> {
  let total = 0;
  for (let step = 1; ; step++) {
    const response = await send({ ...target, idempotencyKey: step === 1 ? target.idempotencyKey : undefined }, request);
    if (!response.ok) return refused(response);
    const body = (await response.json()) as { result?: { more?: unknown; entriesFolded?: unknown }; txId?: unknown };
    const folded = typeof body.result?.entriesFolded === 'number' ? body.result.entriesFolded : 0;
    total += folded;
    process.stderr.write(`step ${step}: ${folded} folded (${total} in all), transaction ${String(body.txId)}\n`);
    if (body.result?.more !== true) {
      process.stdout.write(`${JSON.stringify({ steps: step, entriesFolded: total })}\n`);
      return 0;
    }
  }
}

async function run(command: Command, args: readonly string[], target: Target, paging: { all: boolean; pageSize?: string; cursor?: string }): Promise<number> {
  const request = command.request(args);
  if (command.paged && paging.all) return everyPage(target, request, paging.pageSize);
  if (command.repeat) return untilDone(target, request);
  const response = await send(target, command.paged ? withPage(request, paging.pageSize, paging.cursor ?? '') : request);
  if (!response.ok) return refused(response);
  if (command.text) return streamText(response);
  process.stdout.write(`${await response.text()}\n`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'verify-bundle') return verifyBundleFile(argv.slice(1));
  if (argv[0] === 'verify-certificate') return verifyCertificateFile(argv.slice(1));
  if (argv[0] === 'certificate-pdf') return certificatePdfFile(argv.slice(1));
  if (argv[0] === 'users:register') return register(argv.slice(1));
  if (argv[0] === 'enroll') return enroll(argv.slice(1));
  if (argv[0] === 'reenroll') return reenroll(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: [...argv], allowPositionals: true,
    options: {
      url: { type: 'string' }, token: { type: 'string' }, wallet: { type: 'string' }, 'idempotency-key': { type: 'string' }, 'min-block-number': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      all: { type: 'boolean' }, 'page-size': { type: 'string' }, cursor: { type: 'string' },
    },
  });
  const [name, ...args] = positionals;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command !== undefined && name !== undefined && values.help === true) {
    console.log(commandHelp(name, command));
    return 0;
  }
  if (values.help === true || command === undefined) {
    console.log(help());
    return values.help === true || name === undefined ? 0 : 2;
  }
  // default: Org1's gateway as `npm start` runs it (on Org1's own address, scripts/lib/topology.sh)
  const walletDir = values.wallet ?? process.env.IL_WALLET;
  const target: Target = {
    url: values.url ?? process.env.IL_GATEWAY_URL ?? 'http://127.0.0.2:3001',
    token: values.token ?? process.env.IL_GATEWAY_TOKEN,
    idempotencyKey: values['idempotency-key'],
    wallet: walletDir === undefined || walletDir === '' ? undefined : loadWalletKey(walletDir),
    minBlockNumber: values['min-block-number'],
  };
  return run(command, args, target, {
    all: values.all === true, ...(values['page-size'] === undefined ? {} : { pageSize: values['page-size'] }), ...(values.cursor === undefined ? {} : { cursor: values.cursor }),
  });
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
