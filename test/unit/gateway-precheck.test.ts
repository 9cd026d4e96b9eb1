/**
 * The gateway's credential precheck before a claim submission (IL_GATEWAY_CREDENTIAL_PRECHECK):
 * `screen` answers the mistakes it can see without the ledger and leaves the signature to the
 * endorsing peers; `full` refuses a bad signature itself. Over the fake services: what reached
 * the ledger is recorded. (Against the real network, test/e2e/refusals.test.ts: the peers'
 * refusals come back with the same codes.)
 */
import { createStaticDocumentLoader, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
import { inlineChecker, type CredentialPrecheck } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { NOW, commutePolicy, copy, seededIssuer, signedCommute } from '../helpers/credentials-fixtures';
import { FAKE_TOKEN, fakeGateway } from '../helpers/fake-gateway';

describe('gateway: credential precheck before a claim submission', () => {
  let issuer: IssuerKeyPair;
  let good: JsonObject;
  let protocol: JsonObject;
  before(async () => {
    issuer = await seededIssuer(3);
    good = await signedCommute(issuer);
    const policy = commutePolicy([issuer.controller]);
    protocol = {
      id: 'commute-modal-shift', version: 1, status: 'active', ownerMsp: 'Org1MSP', category: 'commute', unit: 'gCO2e', pillar: 'B',
      sdgTargets: ['11.2'], minProofLevel: 'computed', verifiers: [], quorum: 1, minVerifierOrgs: 1, validators: [], validatorFromOtherOrg: false, lifecycle: [],
      trustedIssuers: [issuer.controller], quantityField: policy.quantityField, periodFields: policy.periodFields, subjectSchema: policy.subjectSchema ?? {},
    };
  });

  /** POST /v1/claims to a fake gateway with `precheck`: the status, the problem code, what reached the services. */
  const submit = async (precheck: CredentialPrecheck, credential: JsonObject) => {
    const { app, calls } = await fakeGateway({}, {
      precheck, now: NOW,
      checker: inlineChecker({ documentLoader: createStaticDocumentLoader(), maxBytes: 64 * 1024 }),
      evaluate: (fqfn) => (fqfn === 'protocols:Get' ? protocol : undefined),
    });
    try {
      const response = await app.inject({
        method: 'POST', url: '/v1/claims', headers: { authorization: `Bearer ${FAKE_TOKEN}` },
        payload: { protocolId: 'commute-modal-shift', protocolVersion: 1, credential, evidenceHashes: [] },
      });
      return { status: response.statusCode, code: (response.json() as { code?: string }).code, calls };
    } finally {
      await app.close();
    }
  };

  const tampered = (): JsonObject => {
    const t = copy(good);
    (t.credentialSubject as JsonObject).quantity = 999_999;
    return t;
  };

  it('screen: refuses an expired credential itself (422 CREDENTIAL_EXPIRED), nothing submitted', async () => {
    const expired = await signedCommute(issuer, { fields: { validUntil: '2025-06-30T23:59:59Z' } });
    const outcome = await submit('screen', expired);
    expect(outcome).to.include({ status: 422, code: 'CREDENTIAL_EXPIRED' });
    expect(outcome.calls).to.not.include('ledger.submit');
  });

  it('screen: leaves a tampered credential to the endorsing peers (submitted; no full check here)', async () => {
    const outcome = await submit('screen', tampered());
    expect(outcome.calls).to.include('ledger.submit');
    expect(outcome.calls).to.not.include('checker.check');
  });

  it('full: refuses a tampered credential itself (422 INVALID_SIGNATURE), nothing submitted', async () => {
    const outcome = await submit('full', tampered());
    expect(outcome).to.include({ status: 422, code: 'INVALID_SIGNATURE' });
    expect(outcome.calls).to.include('checker.check');
    expect(outcome.calls).to.not.include('ledger.submit');
  });

  it('both: submit a good credential', async () => {
    for (const precheck of ['screen', 'full'] as const) {
      expect((await submit(precheck, good)).calls, precheck).to.include('ledger.submit');
    }
  });
});
