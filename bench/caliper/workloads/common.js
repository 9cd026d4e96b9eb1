'use strict';
// What the claim workloads share: the claims they submit (drafted by the bench's own claimDraft,
// signed in the untimed prepare phase), the shape of a request, its result, and the short retry of
// a workflow step whose organisation's peer has not committed the previous step's block yet.
//
// Every request goes through the Fabric Gateway service of the invoker's organisation's peer
// (Caliper's fabric:2.4 binding: one gateway connection per identity, to the first peer of its
// organisation); the workloads pick the invoking organisation in turn, so load spreads over the 3
// organisations' peers. Each `sendRequests` call is one Caliper transaction (one TxStatus: success
// once committed, or failed).
const crypto = require('node:crypto');
const path = require('node:path');
const { CaliperUtils } = require('@hyperledger/caliper-core');
// ESM-only package, loaded through Node's require(esm) (Node >= 22.12)
const { generateIssuerKey } = require('@impact-ledger/credentials');
// the same claim drafts as `npm run bench` (compiled by scripts/bench-caliper.sh before Caliper runs)
const { claimDraft } = require(path.join(__dirname, '..', '..', '..', 'build', 'bench', 'src', 'setup.js'));

const logger = CaliperUtils.getLogger('impact-ledger');
const hex = () => crypto.randomBytes(32).toString('hex');

/** The transactions one worker runs in this round (Caliper gives each worker floor(txNumber / workers)). */
const perWorker = (args, totalWorkers) => Math.max(1, Math.floor(args.txNumber / totalWorkers));

/**
 * Signs distinct claims ahead of time: their own credential (signed by the benchmark issuer whose
 * key the set-up derived from `issuerSeed`) and subject, so they never double count nor conflict.
 * `next()` hands one out, signing more only if the prepared ones run out (then outside the pool).
 */
async function claimPool(args, count) {
  const issuer = await generateIssuerKey({ seed: Buffer.from(args.issuerSeed, 'hex') });
  const protocol = { id: args.protocolId, version: args.protocolVersion };
  const drafts = [];
  for (let i = 0; i < count; i++) drafts.push(await claimDraft(protocol, issuer));
  return {
    /** A draft, synchronously when one is prepared (so the request is issued in the same tick). */
    next: () => (drafts.length > 0 ? drafts.pop() : claimDraft(protocol, issuer)),
  };
}

/** A submitting request to the chaincode, as the invoker `identity` of organisation `mspId`. */
function request(args, mspId, identity, contractFunction, contractArguments, transient) {
  return {
    contractId: args.chaincode, contractFunction, contractArguments, invokerMspId: mspId, invokerIdentity: identity, readOnly: false,
    ...(transient ? { transientMap: Object.fromEntries(Object.entries(transient).map(([k, v]) => [k, Buffer.from(v)])) } : {}),
  };
}

/** claims:Submit of one draft: its JSON argument, its credential as transient data. */
const submitRequest = (args, mspId, draft) => request(args, mspId, 'User1', 'claims:Submit', [draft.args], draft.transient);

/** claims:Verify: decision, assessed quantity, report hash. */
const verifyRequest = (args, mspId, claimId) => request(args, mspId, 'User2', 'claims:Verify', [claimId, 'approve', '42000', hex()]);

/** claims:Validate: the validated quantity. */
const validateRequest = (args, mspId, claimId) => request(args, mspId, 'User4', 'claims:Validate', [claimId, '42000']);

const succeeded = (status) => status.GetStatus() === 'success';

/** The chaincode's JSON answer of a successful request. */
const resultOf = (status) => JSON.parse(Buffer.from(status.GetResult()).toString('utf8'));

/**
 * Sends a request, retrying a failed one up to `attempts` times after a short pause: the failure a
 * workflow step expects is the previous step's block not committed yet on this organisation's peer
 * (claim not found, a stale read refused by the chaincode, or an MVCC conflict at commit). Every
 * failed attempt stays a failed transaction in Caliper's figures; `counters.retried` counts them.
 */
async function sendWithRetry(adapter, req, counters, attempts = 5, pauseMs = 100) {
  for (let attempt = 1; ; attempt++) {
    const status = await adapter.sendRequests(req);
    if (succeeded(status) || attempt >= attempts) return status;
    counters.retried++;
    await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
  }
}

/** Where the claim-submission round leaves each worker's claims for the verification-vote round. */
const claimsFile = (args, workerIndex) => path.join(args.claimsDir, `claims-worker${workerIndex}.json`);

module.exports = {
  logger, perWorker, claimPool, request, submitRequest, verifyRequest, validateRequest, succeeded, resultOf, sendWithRetry, claimsFile,
};
