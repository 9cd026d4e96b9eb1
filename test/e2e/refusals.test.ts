/**
 * Every refusal over HTTP as problem details with its stable code: authentication, roles,
 * designation, double counting naming the conflicting claim, replay, and the credential checks
 * (forged signature, tampered subject, expired, untrusted issuer, remote @context), each with
 * nothing written to the ledger.
 */
import { createStaticDocumentLoader, credentialHash } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import type { HttpResponse } from '../helpers/gateway-http';
import {
  activeProtocol, claimRequest, commuteCredential, newIssuer, reportHash, settled, signedCredential,
  type Committed, type IssuerKeyPair, type JsonObject, type TestProtocol,
} from './scenario';

function expectProblem(response: HttpResponse, status: number, code: string): void {
  expect(response.status, response.text).to.equal(status);
  expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(response.body).to.include({ status, code });
  expect(response.body.type).to.be.a('string');
  expect(response.text).not.to.match(/\bat .*\.js:\d+/); // never a stack trace
}

describe('e2e: refusals', function () {
  this.timeout(120_000);
  let world: GatewayWorld;
  let issuer: IssuerKeyPair;
  let protocol: TestProtocol;
  let first: Committed<{ id: string }>;
  let firstCredential: JsonObject;

  before(async () => {
    world = await getGatewayWorld();
    issuer = await newIssuer();
    protocol = await activeProtocol(world, [issuer.controller]);
    firstCredential = await signedCredential(issuer);
    first = await settled(await world.client(1, 'User1').json<Committed<{ id: string }>>('POST', '/v1/claims', claimRequest(protocol, firstCredential), 201));
  });

  async function claimCount(): Promise<number> {
    const page = await world.client(1, 'User5').json<{ records: unknown[] }>('GET', `/v1/claims?protocolId=${protocol.id}&protocolVersion=1&pageSize=100`, undefined, 200);
    return page.records.length;
  }

  it('401 without or with an unknown bearer token', async () => {
    expectProblem(await world.client(1, 'User1').anonymous().request('GET', '/v1/roles/me'), 401, 'UNAUTHENTICATED');
  });

  it('400 for a body that does not match the schema, never a 500', async () => {
    expectProblem(await world.client(1, 'User1').request('POST', '/v1/claims', { protocolId: 'x', credential: 'nope' }), 400, 'VALIDATION_FAILED');
    expectProblem(await world.client(1, 'User1').request('POST', '/v1/claims', undefined, { 'content-type': 'application/json' }), 400, 'VALIDATION_FAILED');
  });

  it('403 FORBIDDEN_ROLE: a funder cannot submit a claim', async () => {
    const credential = await signedCredential(issuer, { subject: { activityPeriodStart: '2025-07-01', activityPeriodEnd: '2025-07-31' } });
    expectProblem(await world.client(1, 'User5').request('POST', '/v1/claims', claimRequest(protocol, credential)), 403, 'FORBIDDEN_ROLE');
  });

  it('403 NOT_DESIGNATED: a verifier the protocol does not name', async () => {
    expectProblem(await world.client(1, 'User3').request('POST', `/v1/claims/${first.result.id}/verifications`,
      { decision: 'approve', assessedQuantity: 100, reportHash: reportHash() }), 403, 'NOT_DESIGNATED');
  });

  it('409 DOUBLE_COUNTING names the conflicting claim (same subject, overlapping days, another organisation)', async () => {
    const subject = firstCredential.credentialSubject as JsonObject;
    const overlapping = await signedCredential(issuer, { subject: { id: subject.id ?? '', activityPeriodStart: '2025-05-20', activityPeriodEnd: '2025-06-10' } });
    const refused = await world.client(2, 'User1').request('POST', '/v1/claims', claimRequest(protocol, overlapping));
    expectProblem(refused, 409, 'DOUBLE_COUNTING');
    expect(refused.body.conflictingClaimId).to.equal(first.result.id);
  });

  it('409 CREDENTIAL_REPLAYED for a credential already anchored', async () => {
    expectProblem(await world.client(3, 'User1').request('POST', '/v1/claims', claimRequest(protocol, firstCredential)), 409, 'CREDENTIAL_REPLAYED');
  });

  describe('credential checks refuse with nothing written', () => {
    async function refusedWithNothingWritten(credential: JsonObject, code: string, hashable = true): Promise<void> {
      const before = await claimCount();
      expectProblem(await world.client(1, 'User1').request('POST', '/v1/claims', claimRequest(protocol, credential)), 422, code);
      expect(await claimCount()).to.equal(before);
      if (hashable) {
        const hash = await credentialHash(credential, createStaticDocumentLoader());
        expectProblem(await world.client(1, 'User1').request('GET', `/v1/claims/by-credential-hash/${hash}`), 404, 'NOT_FOUND');
      }
    }

    it('forged signature: INVALID_SIGNATURE', async () => {
      const credential = await signedCredential(issuer, { subject: { activityPeriodStart: '2025-08-01', activityPeriodEnd: '2025-08-31' } });
      const proof = credential.proof as JsonObject;
      const value = String(proof.proofValue);
      // One base58 character of the signature changed (to another character, whatever it was).
      proof.proofValue = `${value.slice(0, -2)}${value.at(-2) === 'A' ? 'B' : 'A'}${value.slice(-1)}`;
      expect(proof.proofValue).to.not.equal(value);
      await refusedWithNothingWritten(credential, 'INVALID_SIGNATURE');
    });

    it('tampered subject: INVALID_SIGNATURE', async () => {
      const credential = await signedCredential(issuer, { subject: { activityPeriodStart: '2025-09-01', activityPeriodEnd: '2025-09-30' } });
      (credential.credentialSubject as JsonObject).quantity = 999_999;
      await refusedWithNothingWritten(credential, 'INVALID_SIGNATURE');
    });

    it('expired credential: CREDENTIAL_EXPIRED', async () => {
      const unsigned = commuteCredential(issuer.controller, {
        subject: { activityPeriodStart: '2025-10-01', activityPeriodEnd: '2025-10-31' },
        fields: { validFrom: '2024-01-01T00:00:00Z', validUntil: '2024-12-31T00:00:00Z' },
      });
      const { signCredential } = await import('@impact-ledger/credentials');
      await refusedWithNothingWritten(await signCredential(unsigned, issuer, { date: '2024-01-02T00:00:00Z' }), 'CREDENTIAL_EXPIRED');
    });

    it('untrusted issuer: UNTRUSTED_ISSUER', async () => {
      const stranger = await newIssuer();
      await refusedWithNothingWritten(await signedCredential(stranger, { subject: { activityPeriodStart: '2025-11-01', activityPeriodEnd: '2025-11-30' } }), 'UNTRUSTED_ISSUER');
    });

    it('remote @context: REMOTE_CONTEXT_REFUSED, nothing fetched', async () => {
      const credential = await signedCredential(issuer, { subject: { activityPeriodStart: '2025-12-01', activityPeriodEnd: '2025-12-31' } });
      credential['@context'] = [...(credential['@context'] as string[]), 'https://evil.example/context.jsonld'];
      await refusedWithNothingWritten(credential, 'REMOTE_CONTEXT_REFUSED', false);
    });
  });
});
