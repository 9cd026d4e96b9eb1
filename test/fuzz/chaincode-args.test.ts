/**
 * Chaincode argument fuzzer through the real peers: every transaction the chaincode publishes in
 * its metadata (org.hyperledger.fabric:GetMetadata, so new transactions are covered without
 * editing this file) is called with random and boundary arguments (huge, negative, fractional
 * numbers, unicode, deep nesting, missing fields, 1 MB strings), by callers of every role.
 * Evaluations and submissions must each end in a result or a typed chaincode error (never
 * INTERNAL, never an untyped failure), and a failed submission must write nothing (the channel
 * height stays put). Seeded: IL_FUZZ_SEED=<n> replays a run; IL_FUZZ_CASES sets cases per transaction.
 */
import { ErrorCodes } from '@impact-ledger/chaincode/errors';
import { expect } from 'chai';
import { chaincodeErrorOf } from '../helpers/ledger';
import { peerHeight, type Actor } from '../helpers/network';
import { getWorld, protocolDraft, randomHash, type World } from '../integration/world';

interface TxMeta { name: string; tag?: string[]; parameters?: { name: string }[] }
interface Metadata { contracts: Record<string, { transactions: TxMeta[] }> }

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MB = 'a'.repeat(1024 * 1024);
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const BOUNDARY_NUMBERS: unknown[] = [0, -1, 1.5, -0.0001, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, '12', '', null, true, [], {}];
const BOUNDARY_STRINGS: string[] = [
  '', ' ', 'x', '-1', '0', '1', '1.5', '1e308', '-0', 'NaN', 'Infinity', '9'.repeat(400), '00000000001',
  'null', 'true', '{}', '[]', '""', '{"a":', deep(2_000), deepObject(2_000),
  '\u0000', '\u0000il.claim\u0000x\u0000', 'é🙂\u202e\uffff', '\u0097\u00db\u00a8u\u{f38e8}', '\ud800', 'x'.repeat(300), 'a/../b', '%00', '<script>',
  'x509::/CN=Admin@org1.impact.local::/CN=ca', 'Org1MSP', 'submitter', 'verifier', 'validator', 'funder', 'operator',
  'accepted', 'rejected', randomHash(),
];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

/** A copy of `value` with one field (at any depth) removed or replaced by a boundary value. */
function mutate(rand: () => number, value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || rand() < 0.3) return [...value, pick(rand, BOUNDARY_NUMBERS)];
    const i = Math.floor(rand() * value.length);
    const copy = [...value];
    copy[i] = mutate(rand, copy[i]);
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    const copy: Record<string, unknown> = { ...value };
    const [key, inner] = pick(rand, entries);
    const roll = rand();
    if (roll < 0.25) delete copy[key];
    else if (roll < 0.5) copy[key] = pick(rand, BOUNDARY_NUMBERS);
    else if (roll < 0.6) copy[key] = pick(rand, BOUNDARY_STRINGS);
    else if (roll < 0.65) copy[`extra${Math.floor(rand() * 10)}`] = 1;
    else copy[key] = mutate(rand, inner);
    return copy;
  }
  return rand() < 0.5 ? pick(rand, BOUNDARY_NUMBERS) : pick(rand, BOUNDARY_STRINGS);
}

/** A plausible value for a parameter (by its name), so calls get past the first checks. */
function plausible(w: World, name: string, protocol: { id: string; version: number }): unknown {
  switch (name) {
    case 'protocolJson': return protocolDraft({ verifiers: [w.user(2, 2).identity], validators: [w.user(1, 4).identity] });
    // the public arguments only: the credential travels in transient data (absent here: INVALID_CREDENTIAL)
    case 'claimJson': return { protocolId: protocol.id, protocolVersion: protocol.version, proofLevel: 'computed', evidenceHashes: [] };
    case 'filterJson': return { protocolId: protocol.id, protocolVersion: protocol.version };
    case 'priceJson': return { amount: '10.00', currency: 'EUR' };
    default: return undefined;
  }
}

function argument(rand: () => number, w: World, name: string, protocol: { id: string; version: number }): string {
  const roll = rand();
  const base = plausible(w, name, protocol);
  if (base !== undefined && roll < 0.6) return JSON.stringify(mutate(rand, base));
  if (roll < 0.08) return MB;
  if (roll < 0.2) return JSON.stringify(pick(rand, BOUNDARY_NUMBERS));
  if (name === 'version' && roll < 0.4) return String(protocol.version);
  if (/id$|Id$/.test(name) && roll < 0.4) return name === 'id' || name === 'protocolId' ? protocol.id : randomHash();
  if (name === 'identity' || name === 'newOwner' || name === 'owner') return roll < 0.5 ? w.user(1 + Math.floor(rand() * 3), 1 + Math.floor(rand() * 5)).identity : pick(rand, BOUNDARY_STRINGS);
  return pick(rand, BOUNDARY_STRINGS);
}

type Outcome = 'result' | 'typed' | 'arity';

describe('fuzz: chaincode arguments through the real peers', function () {
  this.timeout(600_000);
  const seed = Number(process.env.IL_FUZZ_SEED ?? 20_261_123);
  const casesPerTx = Number(process.env.IL_FUZZ_CASES ?? 12);

  it(`every call ends in a result or a typed error, and failed submissions write nothing (seed ${seed})`, async () => {
    console.log(`      fuzz seed ${seed} (IL_FUZZ_SEED=${seed} replays), ${casesPerTx} cases per transaction`);
    const rand = prng(seed);
    const w = await getWorld();
    const admin = w.operators[0].actor;
    const protocolBytes = await admin.network.getContract(w.net.chaincode, 'org.hyperledger.fabric').evaluateTransaction('GetMetadata');
    const metadata = JSON.parse(new TextDecoder().decode(protocolBytes)) as Metadata;
    const protocol = { id: protocolDraft({ verifiers: [], validators: [] }).id, version: 1 };
    const callers: Actor[] = [admin, w.operators[1].actor, ...[1, 2, 4, 5].map((n) => w.user(1, n).actor)];
    const counts = { evaluate: { result: 0, typed: 0, arity: 0 }, submit: { result: 0, typed: 0, arity: 0 } };
    const codes = new Map<string, number>();
    const failures: string[] = [];
    let transactions = 0;

    const classify = (err: unknown, where: string): Outcome | undefined => {
      const decoded = chaincodeErrorOf(err);
      if (decoded && (ErrorCodes as readonly string[]).includes(decoded.code) && decoded.code !== 'INTERNAL') {
        codes.set(decoded.code, (codes.get(decoded.code) ?? 0) + 1);
        return 'typed';
      }
      const text = err instanceof Error ? `${err.message} ${JSON.stringify((err as { details?: unknown }).details ?? '')}` : String(err);
      if (/Expected \d+ parameters, but \d+ have been supplied/.test(text)) return 'arity';
      failures.push(`${where}: ${text.slice(0, 400)}`);
      return undefined;
    };

    for (const [contractName, contract] of Object.entries(metadata.contracts)) {
      if (contractName.startsWith('org.hyperledger')) continue;
      for (const tx of contract.transactions) {
        transactions++;
        const fqfn = `${contractName}:${tx.name}`;
        const isSubmit = (tx.tag ?? []).some((t) => t.toUpperCase() === 'SUBMIT' || t === 'submitTx');
        for (let i = 0; i < casesPerTx; i++) {
          const params = tx.parameters ?? [];
          let args = params.map((p) => argument(rand, w, p.name, protocol));
          if (rand() < 0.05) args = rand() < 0.5 ? args.slice(1) : [...args, 'extra'];
          const caller = pick(rand, callers);
          const where = `${fqfn} case ${i} as ${caller.label} args ${JSON.stringify(args.map((a) => a.length > 80 ? `${a.slice(0, 40)}…(${a.length})` : a))}`;
          const c = caller.contract(contractName);
          try {
            const bytes = await c.evaluate(tx.name, { arguments: args });
            const text = new TextDecoder().decode(bytes);
            if (text !== '') JSON.parse(text);
            counts.evaluate.result++;
          } catch (err) {
            if (err instanceof SyntaxError) failures.push(`${where}: evaluate returned non-JSON`);
            else { const o = classify(err, `${where} [evaluate]`); if (o) counts.evaluate[o]++; }
          }
          if (!isSubmit || (args.some((a) => a.length > 100_000) && rand() < 0.7)) continue;
          const before = await peerHeight(admin, w.net.channel);
          try {
            const submitted = await c.submitAsync(tx.name, { arguments: args });
            const status = await submitted.getStatus();
            counts.submit.result++;
            if (!status.successful) failures.push(`${where}: committed with validation code ${status.code}`);
          } catch (err) {
            const o = classify(err, `${where} [submit]`);
            if (o) counts.submit[o]++;
            const after = await peerHeight(admin, w.net.channel);
            if (after !== before) failures.push(`${where}: failed submission, yet the height moved ${before} -> ${after}`);
          }
        }
      }
    }
    console.log(`      ${transactions} transactions from the metadata; evaluate: ${JSON.stringify(counts.evaluate)}; submit: ${JSON.stringify(counts.submit)}`);
    console.log(`      typed error codes seen: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    expect(failures, `seed ${seed}`).to.deep.equal([]);
  });
});
