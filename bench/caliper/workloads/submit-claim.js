'use strict';
// Caliper workload: claims:Submit with a distinct claim per transaction (its own credential,
// signed here by the benchmark issuer whose key the set-up derived from `issuerSeed`, and its own
// subject, so claims never double count nor conflict), invoked by each organisation's submitter
// (User1) in turn, under the protocol the set-up activated. The credential travels as transient
// data; the endorsing peers verify it and derive hash, pseudonym, quantity and period.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const crypto = require('node:crypto');
// ESM-only package, loaded through Node's require(esm) (Node >= 22.12)
const { CREDENTIALS_V2_URL, IMPACT_LEDGER_CONTEXT_V1_URL, generateIssuerKey, signCredential } = require('@impact-ledger/credentials');

const hex = () => crypto.randomBytes(32).toString('hex');
const day = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

class SubmitClaimWorkload extends WorkloadModuleBase {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
    this.count = 0;
    this.issuer = await generateIssuerKey({ seed: Buffer.from(roundArguments.issuerSeed, 'hex') });
  }

  async submitTransaction() {
    const i = this.count++;
    const { orgs, protocolId, protocolVersion, chaincode } = this.roundArguments;
    const now = Date.now();
    const credential = await signCredential({
      '@context': [CREDENTIALS_V2_URL, IMPACT_LEDGER_CONTEXT_V1_URL], id: `urn:uuid:${crypto.randomUUID()}`,
      type: ['VerifiableCredential', 'ImpactClaimCredential', 'CommuteModalShiftCredential'], issuer: this.issuer.controller,
      validFrom: day(now - 86400000), validUntil: day(now + 365 * 86400000),
      credentialSubject: { id: `did:example:caliper-${hex()}`, activityPeriodStart: '2026-03-01', activityPeriodEnd: '2026-03-31', quantity: 42000, unit: 'gCO2e', mode: 'bicycle' },
    }, this.issuer, { date: new Date(now - 3600000) });
    const claim = { protocolId, protocolVersion, proofLevel: 'computed', evidenceHashes: [hex()] };
    return this.sutAdapter.sendRequests({
      contractId: chaincode,
      contractFunction: 'claims:Submit',
      contractArguments: [JSON.stringify(claim)],
      transientMap: { credential: Buffer.from(JSON.stringify(credential)) },
      invokerMspId: orgs[(this.workerIndex + i) % orgs.length],
      invokerIdentity: 'User1',
      readOnly: false,
    });
  }
}

module.exports.createWorkloadModule = () => new SubmitClaimWorkload();
