'use strict';
// Caliper workload: claims:Submit with a distinct claim per transaction (own credential hash
// and subject pseudonym, so claims never double count nor conflict), invoked by each
// organisation's submitter (User1) in turn, under the protocol the set-up activated.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const crypto = require('node:crypto');

const hex = () => crypto.randomBytes(32).toString('hex');

class SubmitClaimWorkload extends WorkloadModuleBase {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
    this.count = 0;
  }

  async submitTransaction() {
    const i = this.count++;
    const { orgs, protocolId, protocolVersion, chaincode } = this.roundArguments;
    const claim = {
      protocolId, protocolVersion, credentialHash: hex(), subjectPseudonym: hex(),
      periodStart: '2026-03-01', periodEnd: '2026-03-31', quantity: 42000, proofLevel: 'computed', evidenceHashes: [hex()],
    };
    return this.sutAdapter.sendRequests({
      contractId: chaincode,
      contractFunction: 'claims:Submit',
      contractArguments: [JSON.stringify(claim)],
      invokerMspId: orgs[(this.workerIndex + i) % orgs.length],
      invokerIdentity: 'User1',
      readOnly: false,
    });
  }
}

module.exports.createWorkloadModule = () => new SubmitClaimWorkload();
