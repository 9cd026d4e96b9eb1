/** Off-ledger reports of the gateway: pure computations over ledger data and declared inputs. */
export * from './inputs.js';
export * from './carbon-result.js';
export * from './pcaf.js';
export * from './campaign-export.js';
export * from './csv.js';
export * from './evidence.js';
export * from './from-proofs.js';
