/**
 * The pure domain core of impact-ledger: rules, validation and state transitions, with no Fabric
 * imports. Contracts call it between reading and writing state.
 */
export * from './args';
export * from './bench-seed';
export * from './calendar';
export * from './campaign';
export * from './claim';
export * from './evidence';
export * from './hash';
export * from './identity';
export * from './occupancy';
export * from './proof';
export * from './protocol';
export * from './quorum';
export * from './revocation';
export * from './roles';
export * from './stamp';
export * from './status-list';
export * from './subject-schema';
export * from './totals';
export * from './validation';
