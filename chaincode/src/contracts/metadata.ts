/**
 * The contract metadata's description of what the transactions answer: one `@Object` per record
 * and per composite answer, its `@Property`s the fields the record parsers (ledger/records.ts)
 * rely on. The transactions still answer canonical JSON text (`respond`): fabric-contract-api
 * writes a string result's bytes as they are whatever `@Returns` names, so naming these types
 * changes the metadata only, never the bytes a client receives. Fields whose shape is open
 * (stamps, criteria, unit ranges) are left undescribed; JSON Schema allows them all the same.
 */
import { Object as FabricObject, Property } from 'fabric-contract-api';

/** Names of the described answers, as `@Returns` spells them. */
export const Answers = {
  Claim: 'Claim', Verification: 'Verification', ProofOfImpact: 'ProofOfImpact', ProtocolRecord: 'ProtocolRecord', FlagRecord: 'FlagRecord',
  Campaign: 'Campaign', Settlement: 'Settlement', RoleRecord: 'RoleRecord',
  ClaimPage: 'ClaimPage', ProofPage: 'ProofPage', ProtocolPage: 'ProtocolPage', CampaignPage: 'CampaignPage', SettlementPage: 'SettlementPage', RolePage: 'RolePage', WhoAmI: 'WhoAmI', AssetMove: 'AssetMove',
  CascadeBatch: 'CascadeBatch', Provenance: 'Provenance', CampaignProgress: 'CampaignProgress', Totals: 'Totals',
  TotalsRow: 'TotalsRow', CompactedTotals: 'CompactedTotals', Ping: 'Ping', SecretSet: 'SecretSet', StatusListRecord: 'StatusListRecord',
} as const;

/** An impact claim (parseClaim). */
@FabricObject()
export class Claim {
  @Property('id', 'string') id = '';
  @Property('protocolId', 'string') protocolId = '';
  @Property('protocolVersion', 'number') protocolVersion = 0;
  @Property('category', 'string') category = '';
  @Property('subjectPseudonym', 'string') subjectPseudonym = '';
  @Property('periodStart', 'string') periodStart = '';
  @Property('periodEnd', 'string') periodEnd = '';
  @Property('quantity', 'number') quantity = 0;
  @Property('status', 'string') status = '';
  @Property('submitter', 'string') submitter = '';
  @Property('submitterMsp', 'string') submitterMsp = '';
  @Property('approvals', 'number') approvals = 0;
  @Property('rejections', 'number') rejections = 0;
}

/** A verifier's decision on a claim (parseVerification). */
@FabricObject()
export class Verification {
  @Property('id', 'string') id = '';
  @Property('claimId', 'string') claimId = '';
  @Property('verifier', 'string') verifier = '';
  @Property('decision', 'string') decision = '';
  @Property('assessedQuantity', 'number') assessedQuantity = 0;
  @Property('reportHash', 'string') reportHash = '';
}

/** A Proof of Impact (parseProof). */
@FabricObject()
export class ProofOfImpact {
  @Property('id', 'string') id = '';
  @Property('serial', 'string') serial = '';
  @Property('claimId', 'string') claimId = '';
  @Property('protocolId', 'string') protocolId = '';
  @Property('protocolVersion', 'number') protocolVersion = 0;
  @Property('pillar', 'string') pillar = '';
  @Property('unit', 'string') unit = '';
  @Property('quantity', 'number') quantity = 0;
  @Property('owner', 'string') owner = '';
  @Property('originId', 'string') originId = '';
  @Property('depth', 'number') depth = 0;
  @Property('status', 'string') status = '';
  @Property('children', 'string[]') children: string[] = [];
}

/** A protocol version (parseProtocolRecord). */
@FabricObject()
export class ProtocolRecord {
  @Property('id', 'string') id = '';
  @Property('version', 'number') version = 0;
  @Property('status', 'string') status = '';
  @Property('ownerMsp', 'string') ownerMsp = '';
  @Property('category', 'string') category = '';
  @Property('unit', 'string') unit = '';
  @Property('pillar', 'string') pillar = '';
  @Property('sdgTargets', 'string[]') sdgTargets: string[] = [];
  @Property('minProofLevel', 'string') minProofLevel = '';
  @Property('verifiers', 'string[]') verifiers: string[] = [];
  @Property('quorum', 'number') quorum = 0;
  @Property('minVerifierOrgs', 'number') minVerifierOrgs = 0;
  @Property('validators', 'string[]') validators: string[] = [];
  @Property('validatorFromOtherOrg', 'boolean') validatorFromOtherOrg = true;
  @Property('trustedIssuers', 'string[]') trustedIssuers: string[] = [];
}

/** An issuer's status list held on the ledger (parseStatusListRecord). */
@FabricObject()
export class StatusListRecord {
  @Property('id', 'string') id = '';
  @Property('issuer', 'string') issuer = '';
  @Property('validFrom', 'string') validFrom = '';
}

/** A revocation flag (parseFlagRecord). */
@FabricObject()
export class FlagRecord {
  @Property('id', 'string') id = '';
  @Property('kind', 'string') kind = '';
  @Property('subject', 'string') subject = '';
  @Property('reason', 'string') reason = '';
  @Property('active', 'boolean') active = false;
  @Property('cascadeDone', 'boolean') cascadeDone = false;
  @Property('claimsMarked', 'number') claimsMarked = 0;
  @Property('proofsMarked', 'number') proofsMarked = 0;
}

/** A funding campaign (parseCampaign). */
@FabricObject()
export class Campaign {
  @Property('id', 'string') id = '';
  @Property('name', 'string') name = '';
  @Property('currency', 'string') currency = '';
  @Property('budget', 'number') budget = 0;
  @Property('pricePerUnit', 'number') pricePerUnit = 0;
  @Property('bufferBps', 'number') bufferBps = 0;
  @Property('shards', 'number') shards = 0;
  @Property('funder', 'string') funder = '';
  @Property('status', 'string') status = '';
}

/** A settlement of a proof against a campaign (parseSettlement). */
@FabricObject()
export class Settlement {
  @Property('campaignId', 'string') campaignId = '';
  @Property('proofId', 'string') proofId = '';
  @Property('pillar', 'string') pillar = '';
  @Property('unit', 'string') unit = '';
  @Property('sdgTargets', 'string[]') sdgTargets: string[] = [];
  @Property('producerPseudonym', 'string') producerPseudonym = '';
  @Property('quantity', 'number') quantity = 0;
  @Property('amount', 'number') amount = 0;
  @Property('held', 'number') held = 0;
}

/** A role grant (parseRoleRecord). */
@FabricObject()
export class RoleRecord {
  @Property('identity', 'string') identity = '';
  @Property('mspId', 'string') mspId = '';
  @Property('role', 'string') role = '';
  @Property('active', 'boolean') active = false;
}

/** A page of claims. */
@FabricObject()
export class ClaimPage {
  @Property('records', 'Claim[]') records: Claim[] = [];
  @Property('bookmark', 'string') bookmark = '';
}

/** A page of proofs. */
@FabricObject()
export class ProofPage {
  @Property('records', 'ProofOfImpact[]') records: ProofOfImpact[] = [];
  @Property('bookmark', 'string') bookmark = '';
}

/** A page of protocol versions. */
@FabricObject()
export class ProtocolPage {
  @Property('records', 'ProtocolRecord[]') records: ProtocolRecord[] = [];
  @Property('bookmark', 'string') bookmark = '';
}

/** A page of campaigns. */
@FabricObject()
export class CampaignPage {
  @Property('records', 'Campaign[]') records: Campaign[] = [];
  @Property('bookmark', 'string') bookmark = '';
}

/** A page of settlements. */
@FabricObject()
export class SettlementPage {
  @Property('records', 'Settlement[]') records: Settlement[] = [];
  @Property('bookmark', 'string') bookmark = '';
}

/** A page of role records. */
@FabricObject()
export class RolePage {
  @Property('records', 'RoleRecord[]') records: RoleRecord[] = [];
  @Property('bookmark', 'string') bookmark = '';
}

/** The caller as the ledger sees it (roles:WhoAmI). */
@FabricObject()
export class WhoAmI {
  @Property('identity', 'string') identity = '';
  @Property('mspId', 'string') mspId = '';
  @Property('operator', 'boolean') operator = false;
  @Property('roles', 'string[]') roles: string[] = [];
}

/** What a transfer or retirement moved: the proof moved, and on a split its parent and the remainder. */
@FabricObject()
export class AssetMove {
  @Property('moved', 'ProofOfImpact') moved = new ProofOfImpact();
  @Property('remainder', 'ProofOfImpact') remainder = new ProofOfImpact();
  @Property('parent', 'ProofOfImpact') parent = new ProofOfImpact();
}

/** One batch of a revocation cascade. */
@FabricObject()
export class CascadeBatch {
  @Property('flag', 'FlagRecord') flag = new FlagRecord();
  @Property('claims', 'string[]') claims: string[] = [];
  @Property('proofs', 'string[]') proofs: string[] = [];
}

/** A proof's provenance: ancestors, validation, verifications, claim, protocol, flags. */
@FabricObject()
export class Provenance {
  @Property('proof', 'ProofOfImpact') proof = new ProofOfImpact();
  @Property('ancestors', 'ProofOfImpact[]') ancestors: ProofOfImpact[] = [];
  @Property('verifications', 'Verification[]') verifications: Verification[] = [];
  @Property('claim', 'Claim') claim = new Claim();
  @Property('protocol', 'ProtocolRecord') protocol = new ProtocolRecord();
  @Property('flags', 'FlagRecord[]') flags: FlagRecord[] = [];
}

/** A campaign and its progress. */
@FabricObject()
export class CampaignProgress {
  @Property('campaign', 'Campaign') campaign = new Campaign();
}

/** One row of totals: one pillar and unit (and the groups asked for). */
@FabricObject()
export class TotalsRow {
  @Property('pillar', 'string') pillar = '';
  @Property('unit', 'string') unit = '';
  @Property('issued', 'number') issued = 0;
  @Property('retired', 'number') retired = 0;
}

/** Totals per pillar and unit (never a cross-pillar sum), with the filter applied. */
@FabricObject()
export class Totals {
  @Property('totals', 'TotalsRow[]') totals: TotalsRow[] = [];
}

/** What a totals compaction folded. */
@FabricObject()
export class CompactedTotals {
  @Property('entriesFolded', 'number') entriesFolded = 0;
  @Property('more', 'boolean') more = false;
}

/** The chaincode's liveness answer. */
@FabricObject()
export class Ping {
  @Property('ok', 'boolean') ok = false;
  @Property('chaincode', 'string') chaincode = '';
  @Property('version', 'string') version = '';
}

/** The pseudonym secret was set. */
@FabricObject()
export class SecretSet {
  @Property('set', 'boolean') set = false;
}
