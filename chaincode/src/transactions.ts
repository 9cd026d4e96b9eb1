/**
 * The chaincode's transaction names: one table, contract name -> its transactions. Pure (no
 * Fabric import), so the gateway's typed client takes its names from here; a unit test checks
 * the table against the transactions the contract classes declare, so the two cannot drift.
 */
export const Transactions = {
  system: ['Ping', 'SetPseudonymSecret'],
  roles: ['WhoAmI', 'Grant', 'Revoke', 'List', 'History'],
  protocols: ['Register', 'Activate', 'Suspend', 'Retire', 'Get', 'ListVersions', 'List'],
  claims: ['Submit', 'Withdraw', 'Verify', 'Validate', 'Get', 'GetByCredentialHash', 'Verifications', 'List'],
  proofs: ['Transfer', 'Retire', 'Get', 'Provenance', 'ListByOwner', 'ListByProtocol', 'ListByStatus', 'Totals', 'CompactTotals'],
  campaigns: ['Open', 'SetBudget', 'Close', 'Settle', 'Get', 'List', 'Progress', 'Settlements', 'ExportRows', 'SettlementOf'],
  revocation: ['Flag', 'Clear', 'ContinueCascade', 'Get'],
  statusLists: ['Publish', 'Get'],
  bench: ['Put', 'SeedProofs'],
} as const;

/** A contract of the chaincode. */
export type ContractName = keyof typeof Transactions;
/** A transaction of contract `C`. */
export type TransactionOf<C extends ContractName> = (typeof Transactions)[C][number];
/** The fully qualified name `contract:Function` Fabric clients address a transaction by. */
export type QualifiedTransaction = { [C in ContractName]: `${C}:${TransactionOf<C>}` }[ContractName];

/** The fully qualified name of transaction `fn` of contract `contract`. */
export function qualifiedName<C extends ContractName>(contract: C, fn: TransactionOf<C>): QualifiedTransaction {
  // `fn` is a transaction of `contract` (the parameter types say so); TypeScript cannot narrow
  // the template literal of a generic contract to the union by itself.
  return `${contract}:${fn}` as QualifiedTransaction;
}
