/**
 * Contract `revocation`: operators flag a credential or a trusted issuer as revoked (protocol
 * versions are flagged by `protocols:Suspend`), and clear flags. The cascade marks every claim
 * downstream (found through indexes: the claim id derives from the credential hash, the issuer
 * index, the protocol-version index) and every proof of those claims (origin and split tree), at
 * most CASCADE_BATCH writes per transaction; `ContinueCascade` does the next batch. No full scan.
 */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { Answers } from './metadata';
import {
  applyFlag, assertMayFlag, CASCADE_BATCH, claimIdOf, clearFlag, flagIdOf, hex64, needsMark, parseFlagKind, parseFlagSubject,
  progressed, raiseFlag, type FlagRecord, type Stamp,
} from '../domain';
import { ChaincodeError } from '../errors';
import { ChaincodeEvents, type ChaincodeEventName } from '../events';
import { Keys } from '../ledger/keys';
import { parseClaim, parseFlagRecord, parseIndexEntry, parseProof } from '../ledger/records';
import { writeClaim, writeProof } from '../ledger/repository';
import type { LedgerState } from '../ledger/state';
import { callerOf, emit, ImpactContract, ledgerOf, respond, stampOf } from './base';

/** The claims a flag reaches, through one index (or the id derived from the credential hash). */
async function targetClaims(state: LedgerState, flag: FlagRecord): Promise<string[]> {
  if (flag.kind === 'credential') return [claimIdOf(flag.subject)];
  if (flag.kind === 'issuer') return (await state.list(Keys.claimsByIssuer(flag.subject), parseIndexEntry)).map((e) => e.value.id);
  const at = flag.subject.lastIndexOf('@');
  const index = Keys.claimsByProtocol(flag.subject.slice(0, at), Number(flag.subject.slice(at + 1)));
  return (await state.list(index, parseIndexEntry)).map((e) => e.value.id);
}

/** The outcome of one cascade batch. */
export interface CascadeBatch {
  flag: FlagRecord;
  claims: string[];
  proofs: string[];
}

/**
 * Applies the flag's state (marked when active, unmarked when cleared) to at most CASCADE_BATCH
 * downstream claims and proofs; records the progress on the flag record. Idempotent: records
 * already in the right state are skipped, so a later batch resumes where this one stopped.
 */
export async function cascade(state: LedgerState, flag: FlagRecord, stamp: Stamp): Promise<CascadeBatch> {
  const claims: string[] = [];
  const proofs: string[] = [];
  let budget = CASCADE_BATCH;
  let done = true;
  outer: for (const claimId of await targetClaims(state, flag)) {
    const claim = await state.get(Keys.claim(claimId), parseClaim);
    if (claim === undefined) continue;
    if (budget === 0) {
      done = false;
      break;
    }
    if (needsMark(claim, flag)) {
      await writeClaim(state, applyFlag(claim, flag, stamp), claim);
      claims.push(claim.id);
      budget--;
    }
    const queue = claim.proofId === undefined ? [] : [claim.proofId];
    while (queue.length > 0) {
      const proof = await state.get(Keys.proof(queue.shift() ?? ''), parseProof);
      if (proof === undefined) continue;
      if (needsMark(proof, flag)) {
        if (budget === 0) {
          done = false;
          break outer;
        }
        await writeProof(state, applyFlag(proof, flag, stamp), proof);
        proofs.push(proof.id);
        budget--;
      }
      queue.push(...(proof.children ?? []));
    }
  }
  const next = progressed(flag, claims.length, proofs.length, done, stamp);
  await state.put(Keys.flag(flag.id), next);
  return { flag: next, claims, proofs };
}

async function requireFlag(state: LedgerState, flagId: string): Promise<FlagRecord> {
  return state.require(Keys.flag(hex64(flagId, 'flagId')), parseFlagRecord, `flag ${flagId}`);
}

function announce(ctx: Context, name: ChaincodeEventName, batch: CascadeBatch): void {
  const { flag } = batch;
  emit(ctx, name, {
    flagId: flag.id, kind: flag.kind, subject: flag.subject, active: flag.active, reason: flag.reason,
    claimsFlagged: flag.active ? batch.claims : [], proofsFlagged: flag.active ? batch.proofs : [],
    claimsCleared: flag.active ? [] : batch.claims, proofsCleared: flag.active ? [] : batch.proofs,
    cascadeDone: flag.cascadeDone,
  });
}

/** Contract `revocation`. */
@Info({ title: 'revocation', description: 'Revocation flags on credentials, issuers and protocol versions, cascading to claims and proofs' })
export class RevocationContract extends ImpactContract {
  constructor() {
    super('revocation');
  }

  /** Flags a credential (by hash) or an issuer (DID) as revoked (operators); cascades a first batch. */
  @Transaction()
  @Returns(Answers.CascadeBatch)
  async Flag(ctx: Context, kind: string, subject: string, reason: string): Promise<string> {
    const caller = callerOf(ctx);
    assertMayFlag(caller);
    const flagKind = parseFlagKind(kind);
    if (flagKind === 'protocol') throw new ChaincodeError('INVALID_ARGUMENT', 'a protocol version is flagged by suspending it (protocols:Suspend)', { field: 'kind' });
    const parsed = parseFlagSubject(flagKind, subject);
    const state = ledgerOf(ctx);
    const stamp = stampOf(ctx, caller);
    const existing = await state.get(Keys.flag(flagIdOf(flagKind, parsed)), parseFlagRecord);
    const batch = await cascade(state, raiseFlag(existing, flagKind, parsed, reason, stamp), stamp);
    announce(ctx, ChaincodeEvents.FlagRaised, batch);
    return respond(batch);
  }

  /** Clears an active flag (operators); unmarks a first batch of claims and proofs. */
  @Transaction()
  @Returns(Answers.CascadeBatch)
  async Clear(ctx: Context, flagId: string): Promise<string> {
    const caller = callerOf(ctx);
    assertMayFlag(caller);
    const state = ledgerOf(ctx);
    const stamp = stampOf(ctx, caller);
    const batch = await cascade(state, clearFlag(await requireFlag(state, flagId), stamp), stamp);
    announce(ctx, ChaincodeEvents.FlagCleared, batch);
    return respond(batch);
  }

  /** The next batch of a flag's cascade (operators); a no-op batch once it is done. */
  @Transaction()
  @Returns(Answers.CascadeBatch)
  async ContinueCascade(ctx: Context, flagId: string): Promise<string> {
    const caller = callerOf(ctx);
    assertMayFlag(caller);
    const state = ledgerOf(ctx);
    const batch = await cascade(state, await requireFlag(state, flagId), stampOf(ctx, caller));
    announce(ctx, ChaincodeEvents.FlagCascaded, batch);
    return respond(batch);
  }

  /** One flag record. */
  @Transaction(false)
  @Returns(Answers.FlagRecord)
  async Get(ctx: Context, flagId: string): Promise<string> {
    return respond(await requireFlag(ledgerOf(ctx), flagId));
  }
}
