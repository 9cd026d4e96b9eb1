/**
 * Contract `campaigns`: funders open campaigns, raise (or lower, never below what is settled) their
 * budget, settle eligible proofs against them and close them (releasing the buffer). The budget
 * lives in tranches so concurrent settlements rarely collide: see domain/campaign.ts.
 */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { Answers } from './metadata';
import {
  assertCampaignFunder, assertCampaignOpen, assertEligible, assertNotSettled, campaignId, campaignProgress, closeCampaign,
  drawFromShards, exportMonth, exportMonthOf, hex64, initialShards, integerArgument, MAX_SPLIT_DEPTH, pageRequest, openCampaign, parseCampaignDefinition, rebudget,
  pinProtocolVersions, settleToFunder, settlementAmount, settlementOf, shardOrder, type BudgetShard, type Caller, type Campaign, type ProofOfImpact, type SettlementMarker,
} from '../domain';
import { ChaincodeError } from '../errors';
import { ChaincodeEvents } from '../events';
import { Keys } from '../ledger/keys';
import { writeProof } from '../ledger/repository';
import { parseBudgetShard, parseCampaign, parseClaim, parseIndexEntry, parseProof, parseProtocolRecord, parseSettlement, parseSettlementMarker } from '../ledger/records';
import type { LedgerState } from '../ledger/state';
import { callerOf, emit, ImpactContract, ledgerOf, requireRole, respond, stampOf } from './base';

function requireCampaign(state: LedgerState, id: string): Promise<Campaign> {
  return state.require(Keys.campaign(campaignId(id)), parseCampaign, `campaign ${id}`);
}

async function shardsOf(state: LedgerState, id: string): Promise<BudgetShard[]> {
  return (await state.list(Keys.campaignShards(id), parseBudgetShard)).map((e) => e.value);
}

async function writeShards(state: LedgerState, shards: readonly BudgetShard[]): Promise<void> {
  for (const shard of shards) await state.put(Keys.campaignShard(shard.campaignId, shard.index), shard);
}

/** The settlement marker of the proof or of the nearest settled split ancestor (bounded walk). */
async function settledMarker(state: LedgerState, proof: ProofOfImpact): Promise<SettlementMarker | undefined> {
  let current: ProofOfImpact | undefined = proof;
  for (let depth = 0; current !== undefined && depth <= MAX_SPLIT_DEPTH; depth++) {
    const marker = await state.get(Keys.settlementOfProof(current.id), parseSettlementMarker);
    if (marker) return marker;
    current = current.parentId === undefined ? undefined : await state.get(Keys.proof(current.parentId), parseProof);
  }
  return undefined;
}

/**
 * Reads tranches in the proof's order until their free allowance covers `amount` (usually just
 * the first one), so a settlement's read set is as small as the budget allows.
 */
async function shardsToVisit(state: LedgerState, campaign: Campaign, proofId: string, amount: number): Promise<BudgetShard[]> {
  const visited: BudgetShard[] = [];
  let free = 0;
  for (const index of shardOrder(proofId, campaign.shards)) {
    const shard = await state.require(Keys.campaignShard(campaign.id, index), parseBudgetShard, `budget tranche ${index} of campaign ${campaign.id}`);
    visited.push(shard);
    free += Math.max(0, shard.allowance - shard.settled);
    if (free >= amount) break;
  }
  return visited;
}

/** The registered versions of each protocol id (one range read per id). */
async function registeredVersions(state: LedgerState, ids: readonly string[]): Promise<Record<string, number[]>> {
  const versions: Record<string, number[]> = {};
  for (const id of ids) versions[id] = (await state.list(Keys.protocolVersions(id), parseProtocolRecord)).map((e) => e.value.version);
  return versions;
}

/** The caller, state and campaign of a funder's own campaign operation: funder role, campaign's funder. */
async function ownCampaign(ctx: Context, id: string): Promise<{ caller: Caller; state: LedgerState; campaign: Campaign }> {
  const caller = callerOf(ctx);
  const state = ledgerOf(ctx);
  await requireRole(state, caller, 'funder');
  const campaign = await requireCampaign(state, id);
  assertCampaignFunder(campaign, caller);
  return { caller, state, campaign };
}

@Info({ title: 'campaigns', description: 'Funding campaigns: budget in tranches, settlement of proofs, buffer, progress' })
export class CampaignsContract extends ImpactContract {
  constructor() {
    super('campaigns');
  }

  /** Opens a campaign (funder role); the caller becomes its funder. Returns the campaign. */
  @Transaction()
  @Returns(Answers.Campaign)
  async Open(ctx: Context, definitionJson: string): Promise<string> {
    const caller = callerOf(ctx);
    const state = ledgerOf(ctx);
    await requireRole(state, caller, 'funder');
    const parsed = parseCampaignDefinition(definitionJson);
    if (await state.exists(Keys.campaign(parsed.id))) {
      throw new ChaincodeError('ALREADY_EXISTS', `campaign ${parsed.id} already exists`, { campaignId: parsed.id });
    }
    const definition = pinProtocolVersions(parsed, await registeredVersions(state, parsed.protocols.filter((p) => parsed.criteria.protocolVersions?.[p] === undefined)));
    const campaign = openCampaign(definition, caller, stampOf(ctx, caller));
    await state.put(Keys.campaign(campaign.id), campaign);
    await writeShards(state, initialShards(campaign));
    emit(ctx, ChaincodeEvents.CampaignOpened, { campaignId: campaign.id, funder: campaign.funder, budget: campaign.budget, currency: campaign.currency });
    return respond(campaign);
  }

  /** Sets a new budget (the campaign's funder; open campaigns only; never below what is settled). */
  @Transaction()
  @Returns(Answers.Campaign)
  async SetBudget(ctx: Context, id: string, budget: string): Promise<string> {
    const { caller, state, campaign } = await ownCampaign(ctx, id);
    assertCampaignOpen(campaign);
    const changed = rebudget(campaign, await shardsOf(state, campaign.id), integerArgument(budget, 'budget', 1), stampOf(ctx, caller));
    await state.put(Keys.campaign(campaign.id), changed.campaign);
    await writeShards(state, changed.shards);
    emit(ctx, ChaincodeEvents.CampaignBudgetChanged, { campaignId: campaign.id, from: campaign.budget, to: changed.campaign.budget });
    return respond(changed.campaign);
  }

  /** Closes the campaign (its funder): no more settlements; the buffer is released. */
  @Transaction()
  @Returns(Answers.Campaign)
  async Close(ctx: Context, id: string): Promise<string> {
    const { caller, state, campaign } = await ownCampaign(ctx, id);
    const closed = closeCampaign(campaign, stampOf(ctx, caller));
    await state.put(Keys.campaign(campaign.id), closed);
    const released = (await shardsOf(state, campaign.id)).reduce((sum, s) => sum + s.held, 0);
    emit(ctx, ChaincodeEvents.CampaignClosed, { campaignId: campaign.id, released });
    return respond(closed);
  }

  /**
   * Settles an eligible proof against the campaign (its funder): refuses a closed campaign, an
   * ineligible proof, a proof settled before (by any campaign, or through a split ancestor) and
   * any amount beyond the budget. Writes the settlement, the per-proof marker and the tranches
   * drawn, and moves the proof to the funder (marked settled: never transferred again, retired
   * only by the funder).
   */
  @Transaction()
  @Returns(Answers.Settlement)
  async Settle(ctx: Context, id: string, proofId: string): Promise<string> {
    const { caller, state, campaign } = await ownCampaign(ctx, id);
    assertCampaignOpen(campaign);
    const proof = await state.require(Keys.proof(hex64(proofId, 'proofId')), parseProof, `proof ${proofId}`);
    const claim = await state.require(Keys.claim(proof.claimId), parseClaim, `claim ${proof.claimId}`);
    assertEligible(campaign, proof, claim.submitterMsp);
    assertNotSettled(proof.id, await settledMarker(state, proof));
    const money = settlementAmount(campaign, proof.quantity);
    const { draws, shards } = drawFromShards(await shardsToVisit(state, campaign, proof.id, money.amount), money.amount, money.held);
    const stamp = stampOf(ctx, caller);
    const settlement = settlementOf(campaign, proof, claim.submitterMsp, money, draws, stamp);
    await writeShards(state, shards);
    await state.put(Keys.settlement(campaign.id, proof.id), settlement);
    await state.put(Keys.settlementOfProof(proof.id), { proofId: proof.id, campaignId: campaign.id, txId: stamp.txId });
    await state.put(Keys.settlementByExportRow(campaign.id, exportMonthOf(settlement), settlement.producerPseudonym, settlement.protocolId, settlement.unit, proof.id), { id: proof.id });
    // the campaign gets what it paid for: the proof moves to the funder, and its units never move again (PROOF_SETTLED)
    await writeProof(state, settleToFunder(proof, campaign, { amount: money.amount, currency: campaign.currency }, stamp), proof);
    emit(ctx, ChaincodeEvents.ProofSettled, {
      campaignId: campaign.id, proofId: proof.id, amount: money.amount, held: money.held, currency: campaign.currency, from: proof.owner, owner: campaign.funder,
    });
    return respond(settlement);
  }

  /** One campaign. */
  @Transaction(false)
  @Returns(Answers.Campaign)
  async Get(ctx: Context, id: string): Promise<string> {
    return respond(await requireCampaign(ledgerOf(ctx), id));
  }

  /** A page of campaigns, in id order. */
  @Transaction(false)
  @Returns(Answers.CampaignPage)
  async List(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    const page = await ledgerOf(ctx).page(Keys.allCampaigns(), pageRequest(pageSize, bookmark), parseCampaign);
    return respond({ ...page, records: page.records.map((e) => e.value) });
  }

  /** Budget, settled, held in buffer, remaining; impact per pillar and unit and per SDG target. */
  @Transaction(false)
  @Returns(Answers.CampaignProgress)
  async Progress(ctx: Context, id: string): Promise<string> {
    const state = ledgerOf(ctx);
    const campaign = await requireCampaign(state, id);
    const settlements = (await state.list(Keys.settlementsOf(campaign.id), parseSettlement)).map((e) => e.value);
    return respond({ campaign, progress: campaignProgress(campaign, await shardsOf(state, campaign.id), settlements) });
  }

  /** A page of the settlements of a campaign, in proof id order. */
  @Transaction(false)
  @Returns(Answers.SettlementPage)
  async Settlements(ctx: Context, id: string, pageSize: string, bookmark: string): Promise<string> {
    const state = ledgerOf(ctx);
    const campaign = await requireCampaign(state, id);
    const page = await state.page(Keys.settlementsOf(campaign.id), pageRequest(pageSize, bookmark), parseSettlement);
    return respond({ ...page, records: page.records.map((e) => e.value) });
  }

  /**
   * A page of the settlements of a campaign whose activity started in `month` (YYYY-MM), in the
   * order of the CSV export (producer pseudonym, protocol, unit, proof id), so the export streams.
   */
  @Transaction(false)
  @Returns(Answers.SettlementPage)
  async ExportRows(ctx: Context, id: string, month: string, pageSize: string, bookmark: string): Promise<string> {
    const state = ledgerOf(ctx);
    const campaign = await requireCampaign(state, id);
    const page = await state.page(Keys.settlementsByExportMonth(campaign.id, exportMonth(month)), pageRequest(pageSize, bookmark), parseIndexEntry);
    const records = [];
    for (const entry of page.records) records.push(await state.require(Keys.settlement(campaign.id, entry.value.id), parseSettlement, `settlement of proof ${entry.value.id}`));
    return respond({ ...page, records });
  }

  /** Which campaign settled a proof (NOT_FOUND when none). */
  @Transaction(false)
  @Returns(Answers.Settlement)
  async SettlementOf(ctx: Context, proofId: string): Promise<string> {
    const state = ledgerOf(ctx);
    const marker = await state.require(Keys.settlementOfProof(hex64(proofId, 'proofId')), parseSettlementMarker, `a settlement of proof ${proofId}`);
    return respond(await state.require(Keys.settlement(marker.campaignId, marker.proofId), parseSettlement, `settlement of proof ${proofId}`));
  }
}
