/**
 * Contract `proofs`: Proofs of Impact as assets (transfer whole or split, retire whole or part),
 * provenance with bounded reads, paginated lists and per-pillar totals.
 */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { Answers } from './metadata';
import {
  assertNotFlagged, assertOperator, assertOwnerMayMove, assertSettledMayMove, COMPACT_DEFAULT_LIMIT, COMPACT_MAX_LIMIT, foldIntoSnapshots, hex64, isSnapshotEntryId, integerArgument, MAX_SPLIT_DEPTH, moveQuantity, oneOf,
  pageRequest, parseIdentity, parsePrice, parseTotalsFilter, PILLARS, PROOF_STATUSES, retireProof, retirementEntry, slug,
  snapshotEntryId, sumTotals, text, transferProof, validationStepOf, type AssetMove, type Caller, type FlagRecord, type GrantableRole, type ProofOfImpact, type TotalsEntry, type TotalsFilter,
} from '../domain';
import { ChaincodeEvents } from '../events';
import { Keys, type StateKey } from '../ledger/keys';
import { parseClaim, parseFlagRecord, parseIndexEntry, parseProof, parseProtocolRecord, parseTotalsEntry, parseVerification } from '../ledger/records';
import { writeProof, writeTotalsEntry } from '../ledger/repository';
import type { LedgerState } from '../ledger/state';
import { callerOf, emit, ImpactContract, ledgerOf, requireAnyRole, respond, stampOf } from './base';

/** Roles of an identity that may hold and move proofs. */
const HOLDER_ROLES: readonly GrantableRole[] = ['funder', 'submitter'];

function requireProof(state: LedgerState, proofId: string): Promise<ProofOfImpact> {
  return state.require(Keys.proof(hex64(proofId, 'proofId')), parseProof, `proof ${proofId}`);
}

/** The caller, state and proof of a move, after checking the caller owns it and holds a holder role. */
async function ownedProof(ctx: Context, proofId: string, action: 'transfer' | 'retire'): Promise<{ caller: Caller; state: LedgerState; proof: ProofOfImpact }> {
  const caller = callerOf(ctx);
  const state = ledgerOf(ctx);
  const proof = await requireProof(state, proofId);
  assertOwnerMayMove(proof, caller);
  assertSettledMayMove(proof, caller, action);
  assertNotFlagged(proof);
  await requireAnyRole(state, caller, HOLDER_ROLES);
  return { caller, state, proof };
}

async function writeMove(state: LedgerState, before: ProofOfImpact, move: AssetMove): Promise<void> {
  if (!move.parent) return writeProof(state, move.moved, before);
  await writeProof(state, move.parent, before);
  await writeProof(state, move.moved);
  if (move.remainder) await writeProof(state, move.remainder);
}

function moveIds(move: AssetMove): Record<string, unknown> {
  if (!move.parent) return { proofId: move.moved.id };
  return { proofId: move.parent.id, parentId: move.parent.id, children: move.parent.children, movedId: move.moved.id, remainderId: move.remainder?.id };
}

/** The flag records behind the marks of `records` (each read once, in flag id order). */
async function flagsOf(state: LedgerState, records: readonly { flags?: { flagId: string }[] }[]): Promise<FlagRecord[]> {
  const ids = [...new Set(records.flatMap((r) => (r.flags ?? []).map((m) => m.flagId)))].sort();
  const flags: FlagRecord[] = [];
  for (const id of ids) flags.push(await state.require(Keys.flag(id), parseFlagRecord, `flag ${id}`));
  return flags;
}

/** Split ancestors from the parent up to the origin; at most MAX_SPLIT_DEPTH reads. */
async function ancestorsOf(state: LedgerState, proof: ProofOfImpact): Promise<ProofOfImpact[]> {
  const ancestors: ProofOfImpact[] = [];
  for (let current = proof; current.parentId !== undefined && ancestors.length < MAX_SPLIT_DEPTH;) {
    current = await requireProof(state, current.parentId);
    ancestors.push(current);
  }
  return ancestors;
}

async function pageOfProofs(ctx: Context, index: StateKey, pageSize: string, bookmark: string): Promise<string> {
  const state = ledgerOf(ctx);
  const page = await state.page(index, pageRequest(pageSize, bookmark), parseIndexEntry);
  const records: ProofOfImpact[] = [];
  for (const entry of page.records) records.push(await requireProof(state, entry.value.id));
  return respond({ ...page, records });
}

/** Page size of the Totals read: well under the peer's default totalQueryLimit (100,000). */
const TOTALS_PAGE_SIZE = 10_000;

function totalsPrefix(filter: TotalsFilter): StateKey {
  if (filter.pillar !== undefined && filter.unit !== undefined) return Keys.totalsOf(filter.pillar, filter.unit);
  if (filter.pillar !== undefined) return Keys.totalsOfPillar(filter.pillar);
  return Keys.allTotals();
}

/** Contract `proofs`. */
@Info({ title: 'proofs', description: 'Proofs of Impact: transfer, split, retire, provenance, totals per pillar' })
export class ProofsContract extends ImpactContract {
  constructor() {
    super('proofs');
  }

  /** Transfers `quantity` units to `newOwner` (owner only), splitting when partial; optional price. */
  @Transaction()
  @Returns(Answers.AssetMove)
  async Transfer(ctx: Context, proofId: string, newOwner: string, quantity: string, priceJson: string): Promise<string> {
    const { caller, state, proof } = await ownedProof(ctx, proofId, 'transfer');
    parseIdentity(newOwner, 'newOwner');
    const move = transferProof(proof, newOwner, moveQuantity(proof, quantity), parsePrice(priceJson), stampOf(ctx, caller));
    await writeMove(state, proof, move);
    emit(ctx, ChaincodeEvents.ProofTransferred, { ...moveIds(move), from: proof.owner, to: newOwner, quantity: move.moved.quantity });
    return respond(move);
  }

  /** Retires `quantity` units for a beneficiary (owner only), splitting when partial. Final. */
  @Transaction()
  @Returns(Answers.AssetMove)
  async Retire(ctx: Context, proofId: string, quantity: string, beneficiary: string, purpose: string): Promise<string> {
    const { caller, state, proof } = await ownedProof(ctx, proofId, 'retire');
    const move = retireProof(proof, moveQuantity(proof, quantity), beneficiary, purpose, stampOf(ctx, caller));
    await writeMove(state, proof, move);
    await writeTotalsEntry(state, retirementEntry(move.moved));
    emit(ctx, ChaincodeEvents.ProofRetired, { ...moveIds(move), owner: proof.owner, quantity: move.moved.quantity, beneficiary: move.moved.retirement?.beneficiary });
    return respond(move);
  }

  /** One proof. */
  @Transaction(false)
  @Returns(Answers.ProofOfImpact)
  async Get(ctx: Context, proofId: string): Promise<string> {
    return respond(await requireProof(ledgerOf(ctx), proofId));
  }

  /**
   * Proof -> split ancestors -> validation -> verifications -> claim -> protocol version. Reads at
   * most 1 + MAX_SPLIT_DEPTH proofs, 1 claim, 1 protocol and one prefix of the claim's verifications.
   */
  @Transaction(false)
  @Returns(Answers.Provenance)
  async Provenance(ctx: Context, proofId: string): Promise<string> {
    const state = ledgerOf(ctx);
    const proof = await requireProof(state, proofId);
    const ancestors = await ancestorsOf(state, proof);
    const origin = ancestors[ancestors.length - 1] ?? proof;
    const claim = await state.require(Keys.claim(proof.claimId), parseClaim, `claim ${proof.claimId}`);
    const verifications = (await state.list(Keys.verificationsOf(claim.id), parseVerification)).map((e) => e.value);
    const protocol = await state.require(Keys.protocol(proof.protocolId, proof.protocolVersion), parseProtocolRecord, `protocol ${proof.protocolId}`);
    const validation = validationStepOf(origin);
    const flags = await flagsOf(state, [proof, claim]);
    return respond({ proof, ancestors, validation, verifications, claim, protocol, ...(flags.length > 0 ? { flags } : {}) });
  }

  /** A page of the proofs an identity owns (any status). */
  @Transaction(false)
  @Returns(Answers.ProofPage)
  async ListByOwner(ctx: Context, owner: string, pageSize: string, bookmark: string): Promise<string> {
    parseIdentity(owner, 'owner');
    return pageOfProofs(ctx, Keys.proofsByOwner(owner), pageSize, bookmark);
  }

  /** A page of the proofs of one protocol version. */
  @Transaction(false)
  @Returns(Answers.ProofPage)
  async ListByProtocol(ctx: Context, protocolId: string, version: string, pageSize: string, bookmark: string): Promise<string> {
    return pageOfProofs(ctx, Keys.proofsByProtocol(slug(protocolId, 'protocolId'), integerArgument(version, 'version', 1)), pageSize, bookmark);
  }

  /** A page of the proofs in one status (active, retired, split). */
  @Transaction(false)
  @Returns(Answers.ProofPage)
  async ListByStatus(ctx: Context, status: string, pageSize: string, bookmark: string): Promise<string> {
    return pageOfProofs(ctx, Keys.proofsByStatus(oneOf(status, 'status', PROOF_STATUSES)), pageSize, bookmark);
  }

  /** Issued and retired quantities per (pillar, unit), optionally per protocol, SDG target, period; never across pillars. */
  @Transaction(false)
  @Returns(Answers.Totals)
  async Totals(ctx: Context, filterJson: string): Promise<string> {
    const filter = parseTotalsFilter(filterJson);
    // Paged: a plain range read would stop silently at the peer's totalQueryLimit (100,000).
    const entries = await ledgerOf(ctx).listAllPaged(totalsPrefix(filter), parseTotalsEntry, TOTALS_PAGE_SIZE);
    return respond({ filter, totals: sumTotals(entries.map((e) => e.value), filter) });
  }

  /**
   * Folds up to `limit` (default 1000, at most 5000) delta entries of one (pillar, unit) into one
   * snapshot per protocol version and activity month (operators). Answers `more: true` while
   * deltas remain; run it again until false. Issuance never conflicts with it: a compaction that
   * races an issuance fails its own phantom-read check and is simply run again.
   */
  @Transaction()
  @Returns(Answers.CompactedTotals)
  async CompactTotals(ctx: Context, pillar: string, unit: string, limit: string): Promise<string> {
    const caller = callerOf(ctx);
    assertOperator(caller, 'compact totals');
    const state = ledgerOf(ctx);
    const bucket = { pillar: oneOf(pillar, 'pillar', PILLARS), unit: text(unit, 'unit', 32) };
    const prefix = Keys.totalsOf(bucket.pillar, bucket.unit);
    const max = limit === '' ? COMPACT_DEFAULT_LIMIT : integerArgument(limit, 'limit', 1, COMPACT_MAX_LIMIT);
    const { entries, more } = await state.take(prefix, parseTotalsEntry, max, (entryId) => !isSnapshotEntryId(entryId));
    // One point read per (protocol version, month) group touched: the snapshot the deltas fold into.
    const snapshotKey = (protocolId: string, protocolVersion: number, month: string): StateKey =>
      Keys.totalsEntry(bucket.pillar, bucket.unit, protocolId, protocolVersion, snapshotEntryId(month));
    const snapshots = new Map<string, TotalsEntry>();
    for (const { value } of entries) {
      const key = snapshotKey(value.protocolId, value.protocolVersion, value.month);
      const id = key.attributes.join('/');
      if (snapshots.has(id)) continue;
      const current = await state.get(key, parseTotalsEntry);
      if (current !== undefined) snapshots.set(id, current);
    }
    const updates = foldIntoSnapshots(entries.map((e) => e.value), (protocolId, protocolVersion, month) =>
      snapshots.get(snapshotKey(protocolId, protocolVersion, month).attributes.join('/')));
    for (const entry of entries) await state.remove({ objectType: prefix.objectType, attributes: entry.attributes });
    for (const update of updates) await writeTotalsEntry(state, update);
    emit(ctx, ChaincodeEvents.TotalsCompacted, { ...bucket, entriesFolded: entries.length, snapshots: updates.length, more });
    return respond({ ...bucket, entriesFolded: entries.length, snapshots: updates.map((u) => u.entry), more });
  }

}
