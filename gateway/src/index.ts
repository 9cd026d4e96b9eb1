/**
 * @impact-ledger/gateway: the HTTP gateway of impact-ledger. For now its credential checks, used
 * by the routes that come next and by the tests.
 */
export * from './credentials/index.js';
