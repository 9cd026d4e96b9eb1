'use strict';
// Caliper workload: claims:Submit with a distinct claim per transaction (claimDraft of the bench:
// its own credential, signed by the benchmark issuer in the untimed prepare phase, and its own
// subject, so claims never double count nor conflict), invoked by each organisation's submitter
// (User1) in turn, under the protocol the set-up activated. The claim JSON is the one argument, the
// credential travels as transient data; the endorsing peers verify it and derive hash, pseudonym,
// quantity and period. The claims it submits are left in `claimsDir` for the verification-vote round.
const { writeFileSync } = require('node:fs');
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { claimPool, claimsFile, logger, perWorker, resultOf, submitRequest, succeeded } = require('./common');

class SubmitClaimWorkload extends WorkloadModuleBase {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
    this.count = 0;
    this.claims = [];
    this.pool = await claimPool(roundArguments, perWorker(roundArguments, totalWorkers));
  }

  async submitTransaction() {
    const { orgs } = this.roundArguments;
    const org = (this.workerIndex + this.count++) % orgs.length;
    let draft = this.pool.next();
    if (draft instanceof Promise) draft = await draft;
    const status = await this.sutAdapter.sendRequests(submitRequest(this.roundArguments, orgs[org], draft));
    if (succeeded(status)) this.claims.push({ id: resultOf(status).id, org });
    return status;
  }

  async cleanupWorkloadModule() {
    if (!this.roundArguments.claimsDir) return;
    writeFileSync(claimsFile(this.roundArguments, this.workerIndex), JSON.stringify(this.claims));
    logger.info(`claim-submission worker ${this.workerIndex}: ${this.claims.length} claims submitted, kept for the verification votes`);
  }
}

module.exports.createWorkloadModule = () => new SubmitClaimWorkload();
