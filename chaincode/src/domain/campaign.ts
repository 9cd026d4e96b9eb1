/**
 * Campaigns (funding): a funder commits a budget to pay for proven impact that meets criteria,
 * proofs are settled against it, a buffer share of each settlement is held until the campaign
 * closes. Pure rules: no Fabric imports.
 *
 * ## Why the budget never overspends, and why settlements rarely collide
 * Fabric validates each transaction's read set at commit (MVCC): a transaction whose read keys
 * were changed by a transaction committed before it (same or earlier block) is invalidated.
 * One "remaining budget" key would make every settlement of a campaign collide with every other.
 *
 * So the budget is split into `shards` tranches (`il.campaign~shard`, default 8). Each tranche
 * has an allowance (the allowances sum exactly to the budget) and a settled amount. A settlement
 * starts at the tranche chosen by its proof id (sha256, deterministic on every endorser) and
 * draws, in cyclic order, from that tranche and the following ones until the amount is covered.
 * It reads and writes only the tranches it draws from, and it checks inside each one that
 * `settled + draw <= allowance`. Two concurrent settlements that touch the same tranche both read
 * its old version: the first to commit wins, the other is invalidated (MVCC_READ_CONFLICT) and
 * retried against the new value, so overspend is impossible; two settlements on different
 * tranches both commit. While budget is ample a settlement touches one tranche: with 8 tranches
 * two concurrent settlements of one campaign collide with probability ~1/8.
 *
 * The campaign record itself is read (status, criteria) but never written by a settlement, so
 * settlements do not collide with each other on it; closing or re-budgeting writes it, which
 * invalidates settlements endorsed before and committed after - exactly the wanted ordering.
 *
 * ## Never settled twice
 * A per-proof marker (`il.settlement~proof`, proofId) is written by the settlement; a second
 * settlement (of any campaign) finds it and is refused ALREADY_SETTLED, and two concurrent ones
 * both read the absent marker, so only the first to commit survives (MVCC). A split moves units
 * into child proofs: a settlement also refuses a proof any of whose split ancestors is settled
 * (bounded walk, at most MAX_SPLIT_DEPTH reads).
 *
 * ## Buffer
 * `bufferBps` (basis points) of each settlement amount is held (rounded down, in minor units)
 * until the campaign closes; closing releases it (payable = amount). The payable amount of an
 * open campaign's settlement is `amount - held`.
 *
 * Who settles: the campaign's funder (`campaigns:Settle`), after issuance: payment is for proven
 * impact only. A `manual` campaign (the default) is settled when the funder decides; an
 * `automatic` one (`settlementMode`) asks the funder's gateway to settle each eligible proof as it
 * is issued (the gateway's settlement worker follows `ProofIssued` events and signs as the funder:
 * gateway/src/settlement/). The chaincode rules are the same for both: the mode only says who
 * calls `campaigns:Settle`, and the per-proof marker still refuses a second settlement.
 *
 * ## What the funder gets
 * The settlement is the funder's purchase: in the same transaction the proof moves to the funder
 * (owner, `lastTransfer`, `price` = the settled amount) and carries `settlement` (campaign, funder),
 * which its split children inherit. Settled units are never transferred again (PROOF_SETTLED) and
 * only the funder retires them, for the beneficiary it names. Transfer rather than retirement on
 * the funder's behalf: the funder, not the settlement, chooses when and for whom the impact is
 * claimed (its own report, a client), and one concept (ownership) answers "who may claim it".
 *
 * ## Which versions
 * `criteria.protocolVersions` names, per protocol id, the versions paid for; ids the funder names
 * without versions are pinned when the campaign opens to the versions then registered, so a
 * version registered later (only by the protocol's owner MSP, with the same category) is paid for
 * only by campaigns that name it.
 */
import { ChaincodeError } from '../errors';
import { asFields, integer, invalid, list, nonEmpty, onlyFields, parseJsonArgument, text, unique } from './args';
import { formatIsoDate, parseIsoDate } from './calendar';
import { sha256Hex } from './hash';
import type { Caller } from './identity';
import { parseMspId } from './identity';
import type { ProofOfImpact } from './proof';
import { PROOF_LEVELS, proofLevelRank, slug, type ProofLevel } from './protocol';
import type { Stamp } from './stamp';
import { assertNotFlagged } from './revocation';

/** Campaign states. */
export const CAMPAIGN_STATUSES = ['open', 'closed'] as const;
/** A campaign's state. */
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Default and largest number of budget tranches. */
export const DEFAULT_SHARDS = 8;
export const MAX_SHARDS = 64;
/** Basis points in one. */
export const BPS = 10_000;

const CURRENCY = /^[A-Z]{3}$/;

/** Who settles: the funder by hand, or the funder's gateway as each proof is issued. */
export const SETTLEMENT_MODES = ['manual', 'automatic'] as const;
/** A campaign's settlement mode. */
export type SettlementMode = (typeof SETTLEMENT_MODES)[number];

/** Which proofs a campaign pays for. */
export interface CampaignCriteria {
  /** The lowest proof level paid for. */
  minProofLevel: ProofLevel;
  /** The proof's activity period (vintage) must lie within [periodStart, periodEnd]. */
  periodStart: string;
  periodEnd: string;
  /** Sub-networks: the MSPs whose submitted claims qualify; empty = every MSP. */
  msps: string[];
  /**
   * The versions paid for, per protocol id of `protocols` (sorted). Named by the funder, or pinned
   * when the campaign opens to the versions then registered: a version registered later is never
   * paid for unless named. Absent only in campaigns stored before versions were named (any version).
   */
  protocolVersions?: Record<string, number[]>;
}

/** What a funder sends to open a campaign. */
export interface CampaignDefinition {
  id: string;
  name: string;
  /** Protocol ids the campaign pays for (the versions: `criteria.protocolVersions`). */
  protocols: string[];
  currency: string;
  /** Integer minor units. */
  budget: number;
  /** Integer minor units paid per `pricePer` units of impact (the protocol's unit, e.g. gram CO2e). */
  pricePerUnit: number;
  /** How many units of impact `pricePerUnit` buys (default 1): 100 cents per 1000 gCO2e = 1 EUR/kg. */
  pricePer: number;
  /** Share of each settlement held until close, in basis points (0..10000). */
  bufferBps: number;
  criteria: CampaignCriteria;
  /** Number of budget tranches (1..64). */
  shards: number;
  /**
   * `manual` (default): the funder settles; `automatic`: the funder's gateway settles each eligible
   * proof when it is issued. Absent only in campaigns stored before the mode existed (manual).
   */
  settlementMode?: SettlementMode;
}

/** A campaign on the ledger. */
export interface Campaign extends CampaignDefinition {
  funder: string;
  funderMsp: string;
  status: CampaignStatus;
  txId: string;
  timestamp: string;
  updatedTxId: string;
  updatedAt: string;
  closedTxId?: string;
  closedAt?: string;
}

/** One budget tranche. */
export interface BudgetShard {
  campaignId: string;
  index: number;
  allowance: number;
  settled: number;
  held: number;
}

/** What a settlement drew from one tranche. */
export interface ShardDraw {
  index: number;
  amount: number;
}

/** One proof settled against a campaign. */
export interface Settlement {
  campaignId: string;
  proofId: string;
  serial: string;
  protocolId: string;
  protocolVersion: number;
  pillar: string;
  unit: string;
  sdgTargets: string[];
  producerPseudonym: string;
  submitterMsp: string;
  vintage: { start: string; end: string };
  quantity: number;
  currency: string;
  pricePerUnit: number;
  pricePer: number;
  /** quantity x pricePerUnit / pricePer (rounded down), minor units. */
  amount: number;
  /** Held in the buffer until the campaign closes. */
  held: number;
  draws: ShardDraw[];
  funder: string;
  txId: string;
  timestamp: string;
}

/** The marker that a proof was settled, and by which campaign. */
export interface SettlementMarker {
  proofId: string;
  campaignId: string;
  txId: string;
}

const DEFINITION_FIELDS = ['id', 'name', 'protocols', 'currency', 'budget', 'pricePerUnit', 'pricePer', 'bufferBps', 'criteria', 'shards', 'settlementMode'];
const CRITERIA_FIELDS = ['minProofLevel', 'periodStart', 'periodEnd', 'msps', 'protocolVersions'];
const MAX_VERSIONS = 64;

function protocolVersionsOf(value: unknown, protocols: readonly string[]): Record<string, number[]> {
  const input = asFields(value, 'criteria.protocolVersions');
  const named: Record<string, number[]> = {};
  for (const id of Object.keys(input).sort()) {
    const field = `criteria.protocolVersions.${id}`;
    if (!protocols.includes(id)) throw invalid(field, `${id} is not one of the campaign's protocols (${protocols.join(', ')})`);
    const versions = list(input[id], field, (v, f) => integer(v, f, 1), MAX_VERSIONS);
    nonEmpty(versions, field);
    unique(versions.map(String), field);
    named[id] = [...versions].sort((a, b) => a - b);
  }
  return named;
}

function criteriaOf(value: unknown, protocols: readonly string[]): CampaignCriteria {
  const input = asFields(value, 'criteria');
  onlyFields(input, CRITERIA_FIELDS, 'criteria');
  const periodStart = formatIsoDate(parseIsoDate(input.periodStart, 'criteria.periodStart'));
  const periodEnd = formatIsoDate(parseIsoDate(input.periodEnd, 'criteria.periodEnd'));
  if (periodEnd < periodStart) throw invalid('criteria.periodEnd', 'must not be before periodStart');
  const msps = input.msps === undefined ? [] : list(input.msps, 'criteria.msps', (v, f) => parseMspId(v, f), 32);
  unique(msps, 'criteria.msps');
  return {
    minProofLevel: input.minProofLevel === undefined ? 'declared' : levelOf(input.minProofLevel),
    periodStart, periodEnd, msps: [...msps].sort(),
    protocolVersions: input.protocolVersions === undefined ? {} : protocolVersionsOf(input.protocolVersions, protocols),
  };
}

function settlementModeOf(value: unknown): SettlementMode {
  if (typeof value !== 'string' || !(SETTLEMENT_MODES as readonly string[]).includes(value)) {
    throw invalid('settlementMode', `must be one of ${SETTLEMENT_MODES.join(', ')}`);
  }
  return value as SettlementMode;
}

function levelOf(value: unknown): ProofLevel {
  if (typeof value !== 'string' || !(PROOF_LEVELS as readonly string[]).includes(value)) {
    throw invalid('criteria.minProofLevel', `must be one of ${PROOF_LEVELS.join(', ')}`);
  }
  return value as ProofLevel;
}

/** Parses the JSON argument of `campaigns:Open`. */
export function parseCampaignDefinition(json: string): CampaignDefinition {
  const input = asFields(parseJsonArgument(json, 'campaign'), 'campaign');
  onlyFields(input, DEFINITION_FIELDS, 'campaign');
  const protocols = list(input.protocols, 'protocols', (v, f) => slug(v, f), 32);
  nonEmpty(protocols, 'protocols');
  unique(protocols, 'protocols');
  return {
    id: slug(input.id, 'id'),
    name: text(input.name, 'name', 256),
    protocols: [...protocols].sort(),
    currency: text(input.currency, 'currency', 3, CURRENCY),
    budget: integer(input.budget, 'budget', 1),
    pricePerUnit: integer(input.pricePerUnit, 'pricePerUnit', 1),
    pricePer: input.pricePer === undefined ? 1 : integer(input.pricePer, 'pricePer', 1, 1_000_000_000),
    bufferBps: input.bufferBps === undefined ? 0 : integer(input.bufferBps, 'bufferBps', 0, BPS),
    criteria: criteriaOf(input.criteria, protocols),
    shards: input.shards === undefined ? DEFAULT_SHARDS : integer(input.shards, 'shards', 1, MAX_SHARDS),
    settlementMode: input.settlementMode === undefined ? 'manual' : settlementModeOf(input.settlementMode),
  };
}

/**
 * Completes `criteria.protocolVersions`: a protocol the funder named without versions is pinned to
 * the versions registered now (`registered`, per id); one with no registered version is refused
 * (NOT_FOUND), since nothing under it could be paid for.
 */
export function pinProtocolVersions(definition: CampaignDefinition, registered: Readonly<Record<string, readonly number[]>>): CampaignDefinition {
  const named = definition.criteria.protocolVersions ?? {};
  const pinned: Record<string, number[]> = {};
  for (const id of definition.protocols) {
    const versions = named[id] ?? [...(registered[id] ?? [])].sort((a, b) => a - b);
    if (versions.length === 0) {
      throw new ChaincodeError('NOT_FOUND', `protocol ${id} has no registered version; register it first, or name the versions the campaign pays for`, { protocolId: id });
    }
    pinned[id] = versions;
  }
  return { ...definition, criteria: { ...definition.criteria, protocolVersions: pinned } };
}

/** The new campaign, owned by the calling funder. */
export function openCampaign(definition: CampaignDefinition, caller: Caller, stamp: Stamp): Campaign {
  return {
    ...definition, funder: caller.identity, funderMsp: caller.mspId, status: 'open',
    txId: stamp.txId, timestamp: stamp.timestamp, updatedTxId: stamp.txId, updatedAt: stamp.timestamp,
  };
}

/** The initial tranches: allowances sum exactly to the budget (the remainder goes to the first ones). */
export function initialShards(campaign: Pick<Campaign, 'id' | 'budget' | 'shards'>): BudgetShard[] {
  const base = Math.floor(campaign.budget / campaign.shards);
  const extra = campaign.budget % campaign.shards;
  return Array.from({ length: campaign.shards }, (_, index) => ({
    campaignId: campaign.id, index, allowance: base + (index < extra ? 1 : 0), settled: 0, held: 0,
  }));
}

/** Refuses (FORBIDDEN_ROLE) anyone but the campaign's funder. */
export function assertCampaignFunder(campaign: Campaign, caller: Caller): void {
  if (campaign.funder !== caller.identity) {
    throw new ChaincodeError('FORBIDDEN_ROLE', `campaign ${campaign.id} belongs to ${campaign.funder}; only its funder may change or settle it`, { funder: campaign.funder });
  }
}

/** Refuses (CAMPAIGN_CLOSED) a change of a closed campaign. */
export function assertCampaignOpen(campaign: Campaign): void {
  if (campaign.status !== 'open') {
    throw new ChaincodeError('CAMPAIGN_CLOSED', `campaign ${campaign.id} was closed at ${campaign.closedAt ?? '?'}; nothing more is settled against it`, { closedTxId: campaign.closedTxId });
  }
}

/** Sum of the settled amounts of the tranches. */
export function settledTotal(shards: readonly BudgetShard[]): number {
  return shards.reduce((sum, shard) => sum + shard.settled, 0);
}

/**
 * A new budget spread over the tranches: each keeps what it settled and gets an equal part of the
 * unsettled rest. Refused (BUDGET_BELOW_SETTLED) below what is settled.
 */
export function rebudget(campaign: Campaign, shards: readonly BudgetShard[], newBudget: number, stamp: Stamp): { campaign: Campaign; shards: BudgetShard[] } {
  const settled = settledTotal(shards);
  if (newBudget < settled) {
    throw new ChaincodeError('BUDGET_BELOW_SETTLED', `campaign ${campaign.id} has settled ${settled}; its budget cannot go below that`, { settled, requested: newBudget });
  }
  const free = newBudget - settled;
  const base = Math.floor(free / shards.length);
  const extra = free % shards.length;
  return {
    campaign: { ...campaign, budget: newBudget, updatedTxId: stamp.txId, updatedAt: stamp.timestamp },
    shards: shards.map((shard, i) => ({ ...shard, allowance: shard.settled + base + (i < extra ? 1 : 0) })),
  };
}

/** Closes the campaign: the buffer is released. */
export function closeCampaign(campaign: Campaign, stamp: Stamp): Campaign {
  assertCampaignOpen(campaign);
  return { ...campaign, status: 'closed', closedTxId: stamp.txId, closedAt: stamp.timestamp, updatedTxId: stamp.txId, updatedAt: stamp.timestamp };
}

/** The tranche a proof's settlement starts from: deterministic, spread evenly by the proof id. */
export function startShard(proofId: string, shards: number): number {
  return Number.parseInt(sha256Hex(`shard:${proofId}`).slice(0, 8), 16) % shards;
}

/** The order in which a settlement visits the tranches: from its start shard, cyclically. */
export function shardOrder(proofId: string, shards: number): number[] {
  const start = startShard(proofId, shards);
  return Array.from({ length: shards }, (_, i) => (start + i) % shards);
}

/**
 * Refuses (NOT_ELIGIBLE, naming the criterion) a proof the campaign does not pay for: not active,
 * another protocol, a lower proof level, a vintage outside the period, another sub-network.
 */
export function assertEligible(campaign: Campaign, proof: ProofOfImpact, submitterMsp: string): void {
  const refuse = (criterion: string, reason: string): never => {
    throw new ChaincodeError('NOT_ELIGIBLE', `proof ${proof.id} does not meet campaign ${campaign.id}: ${reason}`, { criterion });
  };
  if (proof.status !== 'active') refuse('status', `it is ${proof.status}`);
  assertNotFlagged(proof); // a revoked credential/issuer or suspended protocol upstream: PROOF_FLAGGED
  if (!campaign.protocols.includes(proof.protocolId)) refuse('protocol', `protocol ${proof.protocolId} is not one of ${campaign.protocols.join(', ')}`);
  const versions = campaign.criteria.protocolVersions?.[proof.protocolId];
  if (versions !== undefined && !versions.includes(proof.protocolVersion)) {
    refuse('protocolVersion', `protocol ${proof.protocolId} v${proof.protocolVersion} is not one of the versions it pays for (${versions.join(', ')})`);
  }
  if (proofLevelRank(proof.proofLevel) < proofLevelRank(campaign.criteria.minProofLevel)) {
    refuse('minProofLevel', `its proof level ${proof.proofLevel} is below ${campaign.criteria.minProofLevel}`);
  }
  if (proof.vintage.start < campaign.criteria.periodStart || proof.vintage.end > campaign.criteria.periodEnd) {
    refuse('period', `its activity ${proof.vintage.start}..${proof.vintage.end} is outside ${campaign.criteria.periodStart}..${campaign.criteria.periodEnd}`);
  }
  if (campaign.criteria.msps.length > 0 && !campaign.criteria.msps.includes(submitterMsp)) {
    refuse('msps', `its claim came from ${submitterMsp}, not from ${campaign.criteria.msps.join(', ')}`);
  }
}

/** Refuses (ALREADY_SETTLED) a proof, or a split descendant of a proof, that is already settled. */
export function assertNotSettled(proofId: string, marker: SettlementMarker | undefined): void {
  if (marker !== undefined) {
    throw new ChaincodeError('ALREADY_SETTLED', `proof ${proofId} was settled by campaign ${marker.campaignId}${marker.proofId === proofId ? '' : ` (through proof ${marker.proofId}, which it was split from)`}`, {
      campaignId: marker.campaignId, settledProofId: marker.proofId, txId: marker.txId,
    });
  }
}

/**
 * Amount (quantity x price / pricePer, rounded down: the funder never pays above the price) and
 * held buffer of a settlement; QUANTITY_OVERFLOW if unsafe.
 */
export function settlementAmount(campaign: Campaign, quantity: number): { amount: number; held: number } {
  const product = quantity * campaign.pricePerUnit;
  if (!Number.isSafeInteger(product)) throw new ChaincodeError('QUANTITY_OVERFLOW', `${quantity} x ${campaign.pricePerUnit} exceeds the safe integer range`);
  const amount = Math.floor(product / (campaign.pricePer ?? 1));
  return { amount, held: Math.floor((amount * campaign.bufferBps) / BPS) };
}

/**
 * Draws `amount` from the tranches visited in order (each at most its free allowance). Refuses
 * (BUDGET_EXCEEDED) when the visited tranches cannot cover it; the caller visits all tranches
 * only when the first ones are short, so it reads more keys only near exhaustion.
 */
export function drawFromShards(visited: readonly BudgetShard[], amount: number, held: number): { draws: ShardDraw[]; shards: BudgetShard[] } {
  const draws: ShardDraw[] = [];
  const updated: BudgetShard[] = [];
  let left = amount;
  let heldLeft = held;
  for (const shard of visited) {
    if (left === 0) break;
    const draw = Math.min(shard.allowance - shard.settled, left);
    if (draw <= 0) continue;
    const heldPart = Math.min(heldLeft, draw);
    draws.push({ index: shard.index, amount: draw });
    updated.push({ ...shard, settled: shard.settled + draw, held: shard.held + heldPart });
    left -= draw;
    heldLeft -= heldPart;
  }
  if (left > 0) {
    const free = visited.reduce((sum, s) => sum + Math.max(0, s.allowance - s.settled), 0);
    throw new ChaincodeError('BUDGET_EXCEEDED', `settling ${amount} would exceed the campaign's budget: ${free} left`, { requested: amount, remaining: free });
  }
  return { draws, shards: updated };
}

/** The settlement record of a proof. */
export function settlementOf(campaign: Campaign, proof: ProofOfImpact, submitterMsp: string, money: { amount: number; held: number }, draws: ShardDraw[], stamp: Stamp): Settlement {
  return {
    campaignId: campaign.id, proofId: proof.id, serial: proof.serial, protocolId: proof.protocolId, protocolVersion: proof.protocolVersion,
    pillar: proof.pillar, unit: proof.unit, sdgTargets: [...proof.sdgTargets], producerPseudonym: proof.producerPseudonym, submitterMsp,
    vintage: { ...proof.vintage }, quantity: proof.quantity, currency: campaign.currency, pricePerUnit: campaign.pricePerUnit, pricePer: campaign.pricePer ?? 1,
    amount: money.amount, held: money.held, draws, funder: campaign.funder, txId: stamp.txId, timestamp: stamp.timestamp,
  };
}

/** Impact per (pillar, unit): never summed across pillars. */
export interface ImpactLine {
  pillar: string;
  unit: string;
  quantity: number;
  proofs: number;
}

/** Impact per SDG target and unit (a proof counts for each of its targets). */
export interface SdgLine {
  sdgTarget: string;
  pillar: string;
  unit: string;
  quantity: number;
}

/** Where a campaign stands. */
export interface CampaignProgress {
  campaignId: string;
  status: CampaignStatus;
  currency: string;
  budget: number;
  settled: number;
  /** Held in the buffer (0 once closed). */
  heldInBuffer: number;
  /** Released from the buffer at close. */
  released: number;
  /** Payable now: settled minus held. */
  payable: number;
  remaining: number;
  settlements: number;
  impact: ImpactLine[];
  sdg: SdgLine[];
}

/** Progress from the tranches and settlements (sorted output: deterministic). */
export function campaignProgress(campaign: Campaign, shards: readonly BudgetShard[], settlements: readonly Settlement[]): CampaignProgress {
  const settled = settledTotal(shards);
  const held = shards.reduce((sum, s) => sum + s.held, 0);
  const closed = campaign.status === 'closed';
  const impact = new Map<string, ImpactLine>();
  const sdg = new Map<string, SdgLine>();
  for (const s of settlements) {
    const key = `${s.pillar}\u0000${s.unit}`;
    const line = impact.get(key) ?? { pillar: s.pillar, unit: s.unit, quantity: 0, proofs: 0 };
    impact.set(key, { ...line, quantity: line.quantity + s.quantity, proofs: line.proofs + 1 });
    for (const target of s.sdgTargets) {
      const k = `${target}\u0000${s.pillar}\u0000${s.unit}`;
      const row = sdg.get(k) ?? { sdgTarget: target, pillar: s.pillar, unit: s.unit, quantity: 0 };
      sdg.set(k, { ...row, quantity: row.quantity + s.quantity });
    }
  }
  const sorted = <T>(m: Map<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k) as T);
  return {
    campaignId: campaign.id, status: campaign.status, currency: campaign.currency, budget: campaign.budget, settled,
    heldInBuffer: closed ? 0 : held, released: closed ? held : 0, payable: closed ? settled : settled - held,
    remaining: campaign.budget - settled, settlements: settlements.length, impact: sorted(impact), sdg: sorted(sdg),
  };
}

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/** The month (YYYY-MM) a settlement's activity started in: the row of the CSV export it counts in. */
export function exportMonthOf(settlement: Pick<Settlement, 'vintage'>): string {
  return settlement.vintage.start.slice(0, 7);
}

/** Parses an export month argument (YYYY-MM). */
export function exportMonth(value: unknown): string {
  return text(value, 'month', 7, MONTH);
}

/** Keys of an id list checked as campaign ids. */
export function campaignId(value: unknown): string {
  return slug(value, 'campaignId');
}
