/**
 * Contract `claims`: submission (replay and double-counting refusals), withdrawal, the
 * verification quorum and validation, which issues the Proof of Impact.
 */
import { pseudonymSaltFor } from '@impact-ledger/credentials';
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { Answers } from './metadata';
import {
  assertActive, assertProtocolAccepts, claimSubmission, newClaimRequest, assertDesignatedValidator, assertDesignatedVerifier, assertMayValidate, assertMayVote, assertNotReplayed,
  castVote, claimIdOf, doubleCounting, findConflict, findLostDay, hex64, issuanceEntry, issueProof,
  newVote, openClaim, pageRequest, parseClaimFilter, parseJsonArgument, proofIdOf, validatedQuantity, withdrawalAuthority,
  withdrawClaim, withStatus, assertClaimNotFlagged, assertNotRevoked, flagIdOf, type Claim, type ClaimFilter, type GrantableRole, type QuorumOutcome,
} from '../domain';
import { ChaincodeError } from '../errors';
import { ChaincodeEvents, type ChaincodeEventName } from '../events';
import { Keys, type StateKey } from '../ledger/keys';
import { parseClaim, parseFlagRecord, parseIndexEntry, parseProtocolRecord, parseVerification } from '../ledger/records';
import { occupyDays, readClaimDays, releaseDays, writeClaim, writeProof, writeTotalsEntry } from '../ledger/repository';
import type { LedgerState } from '../ledger/state';
import { callerOf, emit, ImpactContract, ledgerOf, requireRole, respond, stampOf } from './base';
import { assertCredentialStatus, assertTimestampNearPeerClock, transientCredential, verifyCredentialFacts } from './credential';
import { requirePseudonymSecret } from './pseudonym-secret';

const VOTE_EVENT: Readonly<Record<QuorumOutcome, ChaincodeEventName>> = {
  open: ChaincodeEvents.VerificationRecorded,
  verified: ChaincodeEvents.ClaimVerified,
  rejected: ChaincodeEvents.ClaimRejected,
};

function requireClaim(state: LedgerState, claimId: string): Promise<Claim> {
  return state.require(Keys.claim(hex64(claimId, 'claimId')), parseClaim, `claim ${claimId}`);
}

function protocolOf(state: LedgerState, claim: Claim) {
  return state.require(Keys.protocol(claim.protocolId, claim.protocolVersion), parseProtocolRecord, `protocol ${claim.protocolId} v${claim.protocolVersion}`);
}

function verificationsOf(state: LedgerState, claimId: string) {
  return state.list(Keys.verificationsOf(claimId), parseVerification).then((entries) => entries.map((e) => e.value));
}

/** The caller (holding `role`), state, claim and its protocol version. */
async function claimAndProtocol(ctx: Context, claimId: string, role: GrantableRole) {
  const caller = callerOf(ctx);
  const state = ledgerOf(ctx);
  await requireRole(state, caller, role);
  const claim = await requireClaim(state, claimId);
  return { caller, state, claim, protocol: await protocolOf(state, claim) };
}

function claimIndexOf(filter: ClaimFilter): StateKey | undefined {
  if ('status' in filter) return Keys.claimsByStatus(filter.status);
  if ('protocolId' in filter) return Keys.claimsByProtocol(filter.protocolId, filter.protocolVersion);
  return undefined;
}

/** Contract `claims`. */
@Info({ title: 'claims', description: 'Impact claims: submission, verification quorum, validation' })
export class ClaimsContract extends ImpactContract {
  constructor() {
    super('claims');
  }

  /**
   * Anchors a claim (submitter role). The one argument holds only protocolId, protocolVersion,
   * proofLevel and evidenceHashes; the credential itself travels in the transient data
   * (`credential`) and is verified here, on every endorsing peer, against the protocol version:
   * the hash, quantity, period, issuer and pseudonym are derived from it (the pseudonym with the
   * network's secret from the private data collection), never taken from the client; its status
   * list bits are read from the lists on the ledger (CREDENTIAL_REVOKED, STATUS_LIST_UNAVAILABLE).
   * Refuses bad credentials with the gateway's codes, replays and double counting.
   * Returns the claim.
   */
  @Transaction()
  @Returns(Answers.Claim)
  async Submit(ctx: Context, claimJson: string): Promise<string> {
    const caller = callerOf(ctx);
    const stamp = stampOf(ctx, caller);
    assertTimestampNearPeerClock(new Date(stamp.timestamp));
    const state = ledgerOf(ctx);
    await requireRole(state, caller, 'submitter');
    const request = newClaimRequest(parseJsonArgument(claimJson, 'claim'));
    const protocol = await state.require(Keys.protocol(request.protocolId, request.protocolVersion), parseProtocolRecord,
      `protocol ${request.protocolId} v${request.protocolVersion}`);
    assertProtocolAccepts(protocol, request.proofLevel, request.evidence);
    // the pseudonym salt of the category, as the gateways derived it before (the same pseudonyms)
    const salt = pseudonymSaltFor(await requirePseudonymSecret(ctx), protocol.category);
    const credential = transientCredential(ctx);
    const facts = await verifyCredentialFacts(credential, protocol, new Date(stamp.timestamp), salt);
    await assertCredentialStatus(state, credential, protocol, new Date(stamp.timestamp));
    const claim = openClaim(claimSubmission(request, facts), protocol, caller, stamp);
    assertNotReplayed(await state.get(Keys.claim(claim.id), parseClaim));
    assertNotRevoked([
      await state.get(Keys.flag(flagIdOf('credential', claim.credentialHash)), parseFlagRecord),
      claim.issuer === undefined ? undefined : await state.get(Keys.flag(flagIdOf('issuer', claim.issuer)), parseFlagRecord),
    ]);
    const days = await readClaimDays(state, claim);
    const conflict = findConflict(days.buckets, days.slices, claim.id);
    if (conflict) throw doubleCounting(conflict, claim.category);
    await occupyDays(state, claim, days);
    await writeClaim(state, claim);
    emit(ctx, ChaincodeEvents.ClaimSubmitted, { claimId: claim.id, protocolId: claim.protocolId, protocolVersion: claim.protocolVersion, submitter: claim.submitter });
    return respond(claim);
  }

  /** Withdraws a submitted or verified claim (its submitter, or an operator of its MSP); frees its days. */
  @Transaction()
  @Returns(Answers.Claim)
  async Withdraw(ctx: Context, claimId: string): Promise<string> {
    const caller = callerOf(ctx);
    const state = ledgerOf(ctx);
    const claim = await requireClaim(state, claimId);
    if (withdrawalAuthority(claim, caller) === 'submitter') await requireRole(state, caller, 'submitter');
    const withdrawn = withdrawClaim(claim, stampOf(ctx, caller));
    await releaseDays(state, claim);
    await writeClaim(state, withdrawn, claim);
    emit(ctx, ChaincodeEvents.ClaimWithdrawn, { claimId: claim.id, actor: caller.identity });
    return respond(withdrawn);
  }

  /** Records a designated verifier's vote; may close the quorum. Returns the claim. */
  @Transaction()
  @Returns(Answers.Claim)
  async Verify(ctx: Context, claimId: string, decision: string, assessedQuantity: string, reportHash: string): Promise<string> {
    const { caller, state, claim, protocol } = await claimAndProtocol(ctx, claimId, 'verifier');
    assertDesignatedVerifier(protocol, caller);
    assertMayVote(claim, caller, await state.get(Keys.verification(claim.id, caller.identity), parseVerification));
    assertActive(protocol, 'verification');
    const vote = newVote(decision, assessedQuantity, reportHash, claim.quantity);
    const result = castVote(claim, vote, protocol, caller, stampOf(ctx, caller), await verificationsOf(state, claim.id));
    await state.put(Keys.verification(claim.id, caller.identity), result.verification);
    if (result.outcome === 'rejected') await releaseDays(state, claim);
    await writeClaim(state, result.claim, claim);
    emit(ctx, VOTE_EVENT[result.outcome], {
      claimId: claim.id, verificationId: result.verification.id, verifier: caller.identity, decision: vote.decision, status: result.claim.status,
    });
    return respond(result.claim);
  }

  /** Fixes the value of a verified claim and issues its one Proof of Impact. Returns the proof. */
  @Transaction()
  @Returns(Answers.ProofOfImpact)
  async Validate(ctx: Context, claimId: string, quantity: string): Promise<string> {
    const { caller, state, claim, protocol } = await claimAndProtocol(ctx, claimId, 'validator');
    assertDesignatedValidator(protocol, caller);
    const votes = await verificationsOf(state, claim.id);
    assertMayValidate(claim, caller, votes, protocol);
    assertActive(protocol, 'validation');
    assertClaimNotFlagged(claim);
    if (await state.exists(Keys.proof(proofIdOf(claim.id)))) {
      throw new ChaincodeError('PROOF_ALREADY_ISSUED', `claim ${claim.id} already has its proof`, { proofId: proofIdOf(claim.id) });
    }
    const days = await readClaimDays(state, claim);
    const lost = findLostDay(days.buckets, days.slices, claim.id);
    if (lost) throw doubleCounting(lost, claim.category);
    const stamp = stampOf(ctx, caller);
    const proof = issueProof(claim, protocol, votes, validatedQuantity(quantity, votes), caller, stamp);
    await writeProof(state, proof);
    await writeTotalsEntry(state, issuanceEntry(proof));
    await writeClaim(state, { ...withStatus(claim, 'validated', stamp), proofId: proof.id }, claim);
    emit(ctx, ChaincodeEvents.ProofIssued, { claimId: claim.id, proofId: proof.id, serial: proof.serial, quantity: proof.quantity, owner: proof.owner });
    return respond(proof);
  }

  /** One claim. */
  @Transaction(false)
  @Returns(Answers.Claim)
  async Get(ctx: Context, claimId: string): Promise<string> {
    return respond(await requireClaim(ledgerOf(ctx), claimId));
  }

  /** The claim anchoring a credential hash (one key read: the id derives from the hash). */
  @Transaction(false)
  @Returns(Answers.Claim)
  async GetByCredentialHash(ctx: Context, credentialHash: string): Promise<string> {
    return respond(await requireClaim(ledgerOf(ctx), claimIdOf(hex64(credentialHash, 'credentialHash'))));
  }

  /** The votes on a claim, in verifier order. */
  @Transaction(false)
  @Returns(`${Answers.Verification}[]`)
  async Verifications(ctx: Context, claimId: string): Promise<string> {
    return respond(await verificationsOf(ledgerOf(ctx), hex64(claimId, 'claimId')));
  }

  /** A page of claims, all or filtered by status or by protocol version. */
  @Transaction(false)
  @Returns(Answers.ClaimPage)
  async List(ctx: Context, filterJson: string, pageSize: string, bookmark: string): Promise<string> {
    const state = ledgerOf(ctx);
    const filter = parseClaimFilter(filterJson === '' ? {} : parseJsonArgument(filterJson, 'filter'));
    const request = pageRequest(pageSize, bookmark);
    const index = claimIndexOf(filter);
    if (!index) {
      const page = await state.page(Keys.allClaims(), request, parseClaim);
      return respond({ ...page, records: page.records.map((r) => r.value) });
    }
    const page = await state.page(index, request, parseIndexEntry);
    const records = [];
    for (const entry of page.records) records.push(await state.require(Keys.claim(entry.value.id), parseClaim, `claim ${entry.value.id}`));
    return respond({ ...page, records });
  }
}
