/**
 * The names of the chaincode events: exactly one is emitted by every state-changing transaction.
 * Imported by the gateway through `@impact-ledger/chaincode/events`; imports nothing from Fabric.
 */

/** Chaincode event names, one per kind of state change. */
export const ChaincodeEvents = {
  RoleGranted: 'RoleGranted',
  RoleRevoked: 'RoleRevoked',
  ProtocolRegistered: 'ProtocolRegistered',
  ProtocolActivated: 'ProtocolActivated',
  ProtocolSuspended: 'ProtocolSuspended',
  ProtocolRetired: 'ProtocolRetired',
  ClaimSubmitted: 'ClaimSubmitted',
  ClaimWithdrawn: 'ClaimWithdrawn',
  /** A verification that did not close the quorum. */
  VerificationRecorded: 'VerificationRecorded',
  ClaimVerified: 'ClaimVerified',
  ClaimRejected: 'ClaimRejected',
  /** Emitted by `claims:Validate`, which issues the proof. */
  ProofIssued: 'ProofIssued',
  /** A whole or partial transfer; a partial one names the parent and both children. */
  ProofTransferred: 'ProofTransferred',
  /** A whole or partial retirement; a partial one names the parent and both children. */
  ProofRetired: 'ProofRetired',
  /** An operator folded per-issuance totals entries into one snapshot per protocol version. */
  TotalsCompacted: 'TotalsCompacted',
  /** Campaigns (funding): opened, budget changed, closed (buffer released), a proof settled. */
  CampaignOpened: 'CampaignOpened',
  CampaignBudgetChanged: 'CampaignBudgetChanged',
  CampaignClosed: 'CampaignClosed',
  ProofSettled: 'ProofSettled',
  /** An operator flagged a credential or issuer as revoked; lists every claim and proof this transaction flagged. */
  FlagRaised: 'FlagRaised',
  /** An operator cleared a flag; lists every claim and proof this transaction unflagged. */
  FlagCleared: 'FlagCleared',
  /** A further batch of a flag's cascade (raise or clear), listing every claim and proof it (un)flagged. */
  FlagCascaded: 'FlagCascaded',
  /** An operator set the network's pseudonym secret (once, at network creation; the secret itself stays private). */
  PseudonymSecretSet: 'PseudonymSecretSet',
  /** An issuer's Bitstring Status List credential was published to the ledger (first or newer list). */
  StatusListPublished: 'StatusListPublished',
} as const;

/** The name of a chaincode event. */
export type ChaincodeEventName = (typeof ChaincodeEvents)[keyof typeof ChaincodeEvents];

/** All event names, sorted. */
export const chaincodeEventNames: readonly ChaincodeEventName[] = Object.values(ChaincodeEvents).sort();

/** True when `name` is one of the chaincode's event names. */
export function isChaincodeEventName(name: string): name is ChaincodeEventName {
  return (chaincodeEventNames as readonly string[]).includes(name);
}
