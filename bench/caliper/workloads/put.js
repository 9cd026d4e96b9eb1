'use strict';
// Caliper workload: bench:Put, one distinct key per transaction, invoked by the operators
// (Admin) of the organisations in turn (the bench contract accepts operators only).
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const crypto = require('node:crypto');

class PutWorkload extends WorkloadModuleBase {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
    this.prefix = `caliper-${crypto.randomBytes(4).toString('hex')}-${workerIndex}`;
    this.count = 0;
  }

  async submitTransaction() {
    const i = this.count++;
    const orgs = this.roundArguments.orgs;
    return this.sutAdapter.sendRequests({
      contractId: this.roundArguments.chaincode,
      contractFunction: 'bench:Put',
      contractArguments: [`${this.prefix}-${i}`, 'x'.repeat(64)],
      invokerMspId: orgs[(this.workerIndex + i) % orgs.length],
      invokerIdentity: 'Admin',
      readOnly: false,
    });
  }
}

module.exports.createWorkloadModule = () => new PutWorkload();
