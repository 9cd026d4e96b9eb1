/**
 * Silences fabric-shim / fabric-contract-api logging in unit tests. Import it before anything
 * that loads the chaincode: their loggers read the level when the modules load.
 */
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'CRITICAL';
export {};
