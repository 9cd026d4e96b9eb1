/**
 * Contract `bench`: benchmark-only transactions, registered only when the chaincode server runs
 * with IL_BENCH_CONTRACT=1 (scripts/bench.sh sets it on its own network; production never does).
 *
 * - `Put` writes one key: the ceiling of the network (endorse, order, validate, commit one write).
 * - `SeedProofs` writes synthetic validated claims and their Proofs of Impact, with every index and
 *   totals entry, through the SAME repository and key functions the real workflow uses, many per
 *   transaction, so reads can be measured on large ledgers without running the whole workflow.
 *
 * Deterministic: ids derive from the arguments and the transaction id, time is the tx timestamp.
 */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  assertOperator, hex64, integerArgument, issuanceEntry, issueProof, newClaimSubmission, openClaim, seededCredentialHash, sha256Hex, slug, text, withStatus,
} from '../domain';
import { Keys } from '../ledger/keys';
import { parseProtocolRecord } from '../ledger/records';
import { writeClaim, writeProof, writeTotalsEntry } from '../ledger/repository';
import { callerOf, ImpactContract, ledgerOf, respond, stampOf } from './base';

/** Most synthetic proofs one SeedProofs transaction writes (bounded write set, ~10 keys each). */
export const MAX_SEED_PER_TX = 1000;

/** Contract `bench`. */
@Info({ title: 'bench', description: 'Benchmark-only: one-key write and bulk seeding of synthetic proofs' })
export class BenchContract extends ImpactContract {
  constructor() {
    super('bench');
  }

  /** Writes `value` (at most 1 KiB) under the bench key `key`. Operators only. */
  @Transaction()
  @Returns('string')
  async Put(ctx: Context, key: string, value: string): Promise<string> {
    assertOperator(callerOf(ctx), 'write benchmark keys');
    const k = { objectType: 'il.bench', attributes: [text(key, 'key', 128)] };
    await ledgerOf(ctx).put(k, { v: text(value, 'value', 1024) });
    return respond({ key });
  }

  /**
   * Writes `count` synthetic validated claims with their proofs (owner: the caller), index
   * entries and issuance totals entries, numbered from `start`, under an existing protocol
   * version. Operators only.
   */
  @Transaction()
  @Returns('string')
  async SeedProofs(ctx: Context, protocolId: string, version: string, start: string, count: string): Promise<string> {
    const caller = callerOf(ctx);
    assertOperator(caller, 'seed benchmark proofs');
    const state = ledgerOf(ctx);
    const v = integerArgument(version, 'version', 1);
    const protocol = await state.require(Keys.protocol(slug(protocolId, 'protocolId'), v), parseProtocolRecord, `protocol ${protocolId} v${v}`);
    const first = integerArgument(start, 'start', 0);
    const n = integerArgument(count, 'count', 1, MAX_SEED_PER_TX);
    const stamp = stampOf(ctx, caller);
    const ids: string[] = [];
    for (let i = first; i < first + n; i++) {
      const seed = seededCredentialHash(protocol.id, protocol.version, i);
      const submission = newClaimSubmission({
        protocolId: protocol.id, protocolVersion: protocol.version, credentialHash: hex64(seed, 'seed'),
        subjectPseudonym: sha256Hex(`bench-subject:${i}`), periodStart: '2025-01-01', periodEnd: '2025-01-31',
        quantity: 1000, proofLevel: protocol.minProofLevel, evidenceHashes: [],
      });
      const claim = openClaim(submission, protocol, caller, stamp);
      const proof = issueProof(claim, protocol, [], claim.quantity, caller, stamp);
      await writeProof(state, proof);
      await writeTotalsEntry(state, issuanceEntry(proof));
      await writeClaim(state, { ...withStatus(claim, 'validated', stamp), proofId: proof.id });
      ids.push(proof.id);
    }
    return respond({ written: n, first: ids[0], last: ids[ids.length - 1] });
  }
}
