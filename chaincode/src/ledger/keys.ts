/**
 * THE composite-key layout of impact-ledger: the only place key names live. Every key is a
 * Fabric composite key `\u0000{objectType}\u0000{attr}\u0000…`; a `StateKey` with fewer
 * attributes is a prefix for a partial-composite-key query.
 *
 * | object type          | attributes                                         | value                         |
 * |----------------------|----------------------------------------------------|-------------------------------|
 * | il.role              | mspId, identity, role                              | RoleRecord (with history)     |
 * | il.protocol          | protocolId, version (10 digits)                    | ProtocolRecord                |
 * | il.claim             | claimId                                            | Claim                         |
 * | il.claim~status      | status, claimId                                    | {id}                          |
 * | il.claim~protocol    | protocolId, version, claimId                       | {id}                          |
 * | il.days              | category, subjectPseudonym, YYYY-MM                | DayBucket (day -> claimId)    |
 * | il.verification      | claimId, verifier identity                         | Verification                  |
 * | il.proof             | proofId                                            | ProofOfImpact                 |
 * | il.proof~owner       | owner identity, proofId                            | {id}                          |
 * | il.proof~protocol    | protocolId, version, proofId                       | {id}                          |
 * | il.proof~status      | status, proofId                                    | {id}                          |
 * | il.flag              | flagId                                             | FlagRecord                    |
 * | il.claim~issuer      | issuer DID, claimId                                | {id}                          |
 * | il.totals            | pillar, unit, protocolId, version, entryId         | TotalsEntry                   |
 * | il.campaign          | campaignId                                         | Campaign                      |
 * | il.campaign~shard    | campaignId, shard (3 digits)                       | BudgetShard                   |
 * | il.settlement        | campaignId, proofId                                | Settlement                    |
 * | il.settlement~proof  | proofId                                            | SettlementMarker (never twice)|
 * | il.settlement~export | campaignId, month, producer, protocolId, unit, proofId | {id} (the CSV export's order) |
 * | il.issuer~trusted    | issuer DID                                         | TrustedIssuerRecord           |
 * | il.statuslist        | sha256 of the status list's id (URL)               | StatusListRecord              |
 */

/** A composite key (all attributes) or a key prefix (leading attributes only). */
export interface StateKey {
  objectType: string;
  attributes: string[];
}

import { sha256Hex } from '../domain/hash';

/** Object types of the composite keys. */
export const ObjectTypes = {
  role: 'il.role',
  protocol: 'il.protocol',
  claim: 'il.claim',
  claimByStatus: 'il.claim~status',
  claimByProtocol: 'il.claim~protocol',
  days: 'il.days',
  verification: 'il.verification',
  proof: 'il.proof',
  proofByOwner: 'il.proof~owner',
  proofByProtocol: 'il.proof~protocol',
  proofByStatus: 'il.proof~status',
  totals: 'il.totals',
  campaign: 'il.campaign',
  campaignShard: 'il.campaign~shard',
  settlement: 'il.settlement',
  settlementOfProof: 'il.settlement~proof',
  settlementByExportRow: 'il.settlement~export',
  flag: 'il.flag',
  claimByIssuer: 'il.claim~issuer',
  trustedIssuer: 'il.issuer~trusted',
  statusList: 'il.statuslist',
} as const;

/** A protocol version as a key attribute: zero-padded so keys sort in version order. */
export function versionAttribute(version: number): string {
  return String(version).padStart(10, '0');
}

/**
 * The world-state key text of a full composite key, as Fabric's `createCompositeKey` writes it:
 * `\u0000{objectType}\u0000{attr}\u0000…` (for offline tools that read raw write sets).
 */
export function compositeKeyText(key: StateKey): string {
  return `\u0000${key.objectType}\u0000${key.attributes.map((a) => `${a}\u0000`).join('')}`;
}

function key(objectType: string, ...attributes: string[]): StateKey {
  return { objectType, attributes };
}

/** Builders of every key and prefix the chaincode reads or writes. */
export const Keys = {
  role: (mspId: string, identity: string, role: string) => key(ObjectTypes.role, mspId, identity, role),
  rolesOfIdentity: (mspId: string, identity: string) => key(ObjectTypes.role, mspId, identity),
  rolesOfMsp: (mspId: string) => key(ObjectTypes.role, mspId),

  protocol: (id: string, version: number) => key(ObjectTypes.protocol, id, versionAttribute(version)),
  protocolVersions: (id: string) => key(ObjectTypes.protocol, id),
  allProtocols: () => key(ObjectTypes.protocol),

  claim: (claimId: string) => key(ObjectTypes.claim, claimId),
  allClaims: () => key(ObjectTypes.claim),
  claimByStatus: (status: string, claimId: string) => key(ObjectTypes.claimByStatus, status, claimId),
  claimsByStatus: (status: string) => key(ObjectTypes.claimByStatus, status),
  claimByProtocol: (protocolId: string, version: number, claimId: string) =>
    key(ObjectTypes.claimByProtocol, protocolId, versionAttribute(version), claimId),
  claimsByProtocol: (protocolId: string, version: number) => key(ObjectTypes.claimByProtocol, protocolId, versionAttribute(version)),

  days: (category: string, subjectPseudonym: string, month: string) => key(ObjectTypes.days, category, subjectPseudonym, month),

  verification: (claimId: string, verifier: string) => key(ObjectTypes.verification, claimId, verifier),
  verificationsOf: (claimId: string) => key(ObjectTypes.verification, claimId),

  proof: (proofId: string) => key(ObjectTypes.proof, proofId),
  proofByOwner: (owner: string, proofId: string) => key(ObjectTypes.proofByOwner, owner, proofId),
  proofsByOwner: (owner: string) => key(ObjectTypes.proofByOwner, owner),
  proofByProtocol: (protocolId: string, version: number, proofId: string) =>
    key(ObjectTypes.proofByProtocol, protocolId, versionAttribute(version), proofId),
  proofsByProtocol: (protocolId: string, version: number) => key(ObjectTypes.proofByProtocol, protocolId, versionAttribute(version)),
  proofByStatus: (status: string, proofId: string) => key(ObjectTypes.proofByStatus, status, proofId),
  proofsByStatus: (status: string) => key(ObjectTypes.proofByStatus, status),

  totalsEntry: (pillar: string, unit: string, protocolId: string, version: number, entryId: string) =>
    key(ObjectTypes.totals, pillar, unit, protocolId, versionAttribute(version), entryId),
  totalsOf: (pillar: string, unit: string) => key(ObjectTypes.totals, pillar, unit),
  totalsOfPillar: (pillar: string) => key(ObjectTypes.totals, pillar),
  allTotals: () => key(ObjectTypes.totals),

  campaign: (campaignId: string) => key(ObjectTypes.campaign, campaignId),
  allCampaigns: () => key(ObjectTypes.campaign),
  campaignShard: (campaignId: string, index: number) => key(ObjectTypes.campaignShard, campaignId, String(index).padStart(3, '0')),
  campaignShards: (campaignId: string) => key(ObjectTypes.campaignShard, campaignId),
  settlement: (campaignId: string, proofId: string) => key(ObjectTypes.settlement, campaignId, proofId),
  settlementsOf: (campaignId: string) => key(ObjectTypes.settlement, campaignId),
  settlementOfProof: (proofId: string) => key(ObjectTypes.settlementOfProof, proofId),
  settlementByExportRow: (campaignId: string, month: string, producer: string, protocolId: string, unit: string, proofId: string) =>
    key(ObjectTypes.settlementByExportRow, campaignId, month, producer, protocolId, unit, proofId),
  settlementsByExportMonth: (campaignId: string, month: string) => key(ObjectTypes.settlementByExportRow, campaignId, month),
  flag: (flagId: string) => key(ObjectTypes.flag, flagId),
  claimByIssuer: (issuer: string, claimId: string) => key(ObjectTypes.claimByIssuer, issuer, claimId),
  claimsByIssuer: (issuer: string) => key(ObjectTypes.claimByIssuer, issuer),
  /** Written by protocols:Register for each trusted issuer; one point read per status list publication. */
  trustedIssuer: (issuer: string) => key(ObjectTypes.trustedIssuer, issuer),
  /** A status list by its id (URL), hashed: URLs may be long, the key stays short. */
  statusList: (listId: string) => key(ObjectTypes.statusList, sha256Hex(listId)),
} as const;
