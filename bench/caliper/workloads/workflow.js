'use strict';
// Caliper workload: the full workflow, as `npm run bench`'s workflow stage runs it. Each unit takes
// one distinct claim through
//   claims:Submit   by the submitter (User1) of organisation k,
//   claims:Verify   by the verifier (User2) of organisation k,
//   claims:Verify   by the verifier (User2) of organisation k+1 (quorum 2: the claim is verified),
//   claims:Validate by the validator (User4) of organisation k+2 (the Proof of Impact is issued),
// k turning with the unit, each step once the previous one is committed (Caliper's fabric
// connector returns from a submitting request after its commit on the invoker's organisation's
// peer). Each of the 4 transactions is one Caliper request, so the round's TPS counts
// transactions (claims per second = TPS / 4) and the fixed load counts claims in flight (each has
// one transaction in flight at a time). The next organisation's peer may not have committed the
// previous block yet: that step is retried after a short pause (each failed attempt shows in
// Caliper's Fail column; the workers log how many).
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { claimPool, logger, perWorker, resultOf, sendWithRetry, submitRequest, succeeded, validateRequest, verifyRequest } = require('./common');

/** Transactions per claim. */
const STEPS = 4;

class WorkflowWorkload extends WorkloadModuleBase {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
    this.units = 0;
    this.pending = new Set();
    this.counters = { claims: 0, retried: 0, abandoned: 0, failedSubmissions: 0 };
    // Caliper starts units while fewer than txNumber transactions were sent: about txNumber / 4,
    // plus those in flight when the count is reached.
    const inFlight = Math.ceil(roundArguments.inFlight / totalWorkers);
    this.pool = await claimPool(roundArguments, Math.ceil(perWorker(roundArguments, totalWorkers) / STEPS) + inFlight);
  }

  submitTransaction() {
    const unit = this.claim(this.units++);
    this.pending.add(unit);
    return unit.finally(() => this.pending.delete(unit));
  }

  /** One claim through the 4 steps. */
  async claim(i) {
    const args = this.roundArguments;
    const orgs = args.orgs;
    const k = (this.workerIndex + i) % orgs.length;
    const at = (offset) => orgs[(k + offset) % orgs.length];
    let draft = this.pool.next();
    if (draft instanceof Promise) draft = await draft;
    const submitted = await this.sutAdapter.sendRequests(submitRequest(args, at(0), draft));
    if (!succeeded(submitted)) {
      this.counters.failedSubmissions++;
      return;
    }
    const claimId = resultOf(submitted).id;
    for (const step of [verifyRequest(args, at(0), claimId), verifyRequest(args, at(1), claimId), validateRequest(args, at(2), claimId)]) {
      if (!succeeded(await sendWithRetry(this.sutAdapter, step, this.counters))) {
        this.counters.abandoned++;
        return;
      }
    }
    this.counters.claims++;
  }

  async cleanupWorkloadModule() {
    // Caliper closes the round once every sent request has finished; a claim pausing before a
    // retry at that moment finishes here (those requests are outside the round's figures).
    await Promise.all(this.pending);
    const c = this.counters;
    logger.info(`full-workflow worker ${this.workerIndex}: ${c.claims} claims validated (${c.claims * STEPS} transactions), ` +
      `${c.retried} failed attempts retried, ${c.abandoned} claims abandoned after retries, ${c.failedSubmissions} submissions failed`);
  }
}

module.exports.createWorkloadModule = () => new WorkflowWorkload();
