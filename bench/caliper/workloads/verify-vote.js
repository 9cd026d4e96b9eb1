'use strict';
// Caliper workload: claims:Verify (approve, assessed quantity, report hash), one vote per
// transaction, on the claims this worker submitted in the claim-submission round: the first vote
// by the designated verifier (User2) of the claim's organisation; were there fewer claims than
// transactions, the next pass is the quorum-closing vote by the next organisation's verifier.
const { readFileSync } = require('node:fs');
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { claimsFile, verifyRequest } = require('./common');

class VerifyVoteWorkload extends WorkloadModuleBase {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
    this.count = 0;
    this.claims = JSON.parse(readFileSync(claimsFile(roundArguments, workerIndex), 'utf8'));
    if (this.claims.length === 0) throw new Error(`worker ${workerIndex}: no claims left by the claim-submission round to vote on`);
  }

  async submitTransaction() {
    const { orgs } = this.roundArguments;
    const i = this.count++;
    const claim = this.claims[i % this.claims.length];
    const pass = Math.floor(i / this.claims.length);
    return this.sutAdapter.sendRequests(verifyRequest(this.roundArguments, orgs[(claim.org + pass) % orgs.length], claim.id));
  }
}

module.exports.createWorkloadModule = () => new VerifyVoteWorkload();
