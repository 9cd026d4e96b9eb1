/**
 * checkCredential against the attacks and mistakes the gateway must refuse before anything reaches
 * the ledger; each refusal has its own code, and a good credential gives what the claim anchors.
 */
import { CREDENTIALS_V1_URL, IMPACT_LEDGER_CONTEXT_V1_URL, checkCredential, createStaticDocumentLoader, signCredential, subjectPseudonym, type CredentialCheckResult, type CredentialPolicy, type CredentialRefusalCode, type IssuerKeyPair, type JsonObject, type JsonValue } from '@impact-ledger/credentials';
import { assertNotReplayed, claimIdOf } from '@impact-ledger/chaincode/domain';
import { ChaincodeError } from '@impact-ledger/chaincode/errors';
import { expect } from 'chai';
import {
  COMMUTER_ID,
  asObject,
  attackContext,
  checkOptions,
  commuteCredential,
  commutePolicy,
  copy,
  seededIssuer,
  signedCommute,
  spyLoader,
  withNetworkTrap,
} from '../helpers/credentials-fixtures';

function expectRefused(result: CredentialCheckResult, code: CredentialRefusalCode): void {
  expect(result.ok, JSON.stringify(result)).to.equal(false);
  if (!result.ok) expect(result.code, result.message).to.equal(code);
}

function subjectOf(credential: JsonObject): JsonObject {
  return asObject(credential.credentialSubject, 'credentialSubject');
}

function proofOf(credential: JsonObject): JsonObject {
  return asObject(credential.proof, 'proof');
}

/** `credential` with `extra` appended to its @context. */
function withContext(credential: JsonObject, extra: JsonValue): JsonObject {
  const context = credential['@context'];
  if (!Array.isArray(context)) throw new Error('@context is not an array');
  return { ...copy(credential), '@context': [...context, extra] };
}

const ANY_SUBJECT: JsonObject = { type: 'object' };

describe('credentials: checkCredential', () => {
  let issuer: IssuerKeyPair;
  let attacker: IssuerKeyPair;
  let policy: CredentialPolicy;
  let good: JsonObject;

  before(async () => {
    issuer = await seededIssuer(1);
    attacker = await seededIssuer(2);
    policy = commutePolicy([issuer.controller]);
    good = await signedCommute(issuer);
  });

  const check = (credential: unknown, overrides: Partial<CredentialPolicy> = {}, options = checkOptions()) =>
    checkCredential(credential, { ...policy, ...overrides }, options);

  describe('a good credential', () => {
    it('is accepted with its hash, pseudonym, issuer, quantity and period', async () => {
      const result = await check(good);
      expect(result).to.deep.include({
        ok: true,
        issuer: issuer.controller,
        quantity: 18500,
        periodStart: '2025-05-01',
        periodEnd: '2025-05-31',
        subjectPseudonym: subjectPseudonym(COMMUTER_ID, policy.pseudonymSalt),
      });
      expect(result.ok && result.credentialHash).to.match(/^[0-9a-f]{64}$/);
    });

    it('is accepted as VCDM 1.1 (issuanceDate/expirationDate) too', async () => {
      const v1 = commuteCredential(issuer.controller, {
        fields: {
          '@context': [CREDENTIALS_V1_URL, 'https://w3id.org/security/data-integrity/v2', IMPACT_LEDGER_CONTEXT_V1_URL],
          issuanceDate: '2025-06-01T00:00:00Z',
          expirationDate: '2026-06-01T00:00:00Z',
        },
      });
      delete v1.validFrom;
      delete v1.validUntil;
      const signed = await signCredential(v1, issuer, { date: '2025-06-30T08:00:00Z' });
      expect(await check(signed)).to.include({ ok: true, quantity: 18500 });
    });

    it('is checked without a single network access', async () => {
      const attempts = await withNetworkTrap(async () => {
        expect(await check(good)).to.include({ ok: true });
      });
      expect(attempts).to.deep.equal([]);
    });
  });

  describe('forgery and tampering', () => {
    it('refuses a credential signed by another key that names the trusted issuer (its own verification method)', async () => {
      const forged = await signCredential(commuteCredential(issuer.controller), attacker, { date: '2025-06-30T08:00:00Z' });
      expectRefused(await check(forged), 'INVALID_SIGNATURE');
    });

    it("refuses a credential signed by another key that claims the trusted issuer's verification method", async () => {
      const impostor: IssuerKeyPair = { ...issuer, secretKeyMultibase: attacker.secretKeyMultibase };
      const forged = await signCredential(commuteCredential(issuer.controller), impostor, { date: '2025-06-30T08:00:00Z' });
      expect(proofOf(forged).verificationMethod).to.equal(issuer.id);
      expectRefused(await check(forged), 'INVALID_SIGNATURE');
    });

    it('refuses a tampered subject (quantity, period, subject id)', async () => {
      const changes: JsonObject[] = [{ quantity: 185000 }, { activityPeriodEnd: '2025-06-01' }, { id: 'did:example:commuter-43' }];
      for (const change of changes) {
        const tampered = copy(good);
        Object.assign(subjectOf(tampered), change);
        expectRefused(await check(tampered), 'INVALID_SIGNATURE');
      }
    });

    it('refuses a proof stripped of its value or carrying a set of proofs', async () => {
      const stripped = copy(good);
      delete proofOf(stripped).proofValue;
      expectRefused(await check(stripped), 'INVALID_CREDENTIAL_SCHEMA');
      const proofSet = copy(good);
      proofSet.proof = [proofOf(good), proofOf(good)];
      expectRefused(await check(proofSet), 'INVALID_CREDENTIAL_SCHEMA');
    });
  });

  describe('validity period (against the injected clock)', () => {
    it('refuses an expired credential', async () => {
      const expired = await signedCommute(issuer, { fields: { validUntil: '2025-06-30T23:59:59Z' } });
      expectRefused(await check(expired), 'CREDENTIAL_EXPIRED');
      expect(await check(expired, {}, checkOptions({ now: new Date('2025-06-30T12:00:00Z') }))).to.include({ ok: true });
    });

    it('refuses a credential that is not yet valid', async () => {
      const early = await signedCommute(issuer, { fields: { validFrom: '2025-07-02T00:00:00Z' } });
      expectRefused(await check(early), 'CREDENTIAL_NOT_YET_VALID');
      expect(await check(early, {}, checkOptions({ now: new Date('2025-07-02T00:00:01Z') }))).to.include({ ok: true });
    });

    it('judges VCDM 1.1 expirationDate and issuanceDate the same way', async () => {
      const v1 = (fields: JsonObject) => {
        const credential = commuteCredential(issuer.controller, {
          fields: { '@context': [CREDENTIALS_V1_URL, 'https://w3id.org/security/data-integrity/v2', IMPACT_LEDGER_CONTEXT_V1_URL], ...fields },
        });
        delete credential.validFrom;
        delete credential.validUntil;
        return signCredential(credential, issuer, { date: '2025-06-30T08:00:00Z' });
      };
      expectRefused(await check(await v1({ issuanceDate: '2025-01-01T00:00:00Z', expirationDate: '2025-02-01T00:00:00Z' })), 'CREDENTIAL_EXPIRED');
      expectRefused(await check(await v1({ issuanceDate: '2025-08-01T00:00:00Z' })), 'CREDENTIAL_NOT_YET_VALID');
    });
  });

  describe('issuer and cryptosuite', () => {
    it('refuses an untrusted issuer even with a valid signature', async () => {
      const other = await signedCommute(attacker);
      expectRefused(await check(other), 'UNTRUSTED_ISSUER');
      expectRefused(await check(good, { trustedIssuers: [] }), 'UNTRUSTED_ISSUER');
    });

    it('refuses any cryptosuite but eddsa-rdfc-2022', async () => {
      for (const cryptosuite of ['ecdsa-rdfc-2019', 'eddsa-jcs-2022', 'bbs-2023']) {
        const other = copy(good);
        proofOf(other).cryptosuite = cryptosuite;
        expectRefused(await check(other), 'UNSUPPORTED_CRYPTOSUITE');
      }
    });
  });

  describe('JSON-LD', () => {
    it('refuses a remote @context URL without fetching it', async () => {
      const remote = withContext(good, 'https://evil.example/contexts/v1');
      const spy = spyLoader(createStaticDocumentLoader());
      let result: CredentialCheckResult | undefined;
      const attempts = await withNetworkTrap(async () => {
        result = await check(remote, {}, checkOptions({ documentLoader: spy.loader }));
      });
      if (result === undefined) throw new Error('the check did not run');
      expectRefused(result, 'REMOTE_CONTEXT_REFUSED');
      expect(spy.refused).to.deep.equal(['https://evil.example/contexts/v1']);
      expect(spy.served.every((url) => !url.includes('evil'))).to.equal(true);
      expect(attempts).to.deep.equal([]);
    });

    it('refuses a context that is neither bundled nor http(s) as invalid JSON-LD', async () => {
      expectRefused(await check(withContext(good, 'urn:example:context')), 'INVALID_JSON_LD');
    });

    it('refuses an inline context that redefines a protected term (context injection)', async () => {
      const injections: JsonObject[] = [
        { quantity: 'https://evil.example/vocab#quantity' },
        { name: 'https://evil.example/vocab#name' },
        { activityPeriodEnd: { '@id': 'https://evil.example/vocab#end', '@type': '@id' } },
      ];
      for (const injection of injections) {
        expectRefused(await check(withContext(good, injection)), 'INVALID_JSON_LD');
      }
    });

    it('refuses a term that does not expand (VCDM 1.1 has no @vocab): safe mode, nothing silently dropped', async () => {
      const credential = commuteCredential(issuer.controller, {
        fields: { '@context': [CREDENTIALS_V1_URL, 'https://w3id.org/security/data-integrity/v2', IMPACT_LEDGER_CONTEXT_V1_URL], issuanceDate: '2025-06-01T00:00:00Z' },
        subject: { undeclaredBonus: 1000 },
      });
      delete credential.validFrom;
      delete credential.validUntil;
      const signed = { ...credential, proof: proofOf(good) };
      expectRefused(await check(signed), 'INVALID_JSON_LD');
    });
  });

  describe('shape and size', () => {
    it('refuses an oversized credential before parsing it further', async () => {
      const big = copy(good);
      subjectOf(big).note = 'x'.repeat(70 * 1024);
      expectRefused(await check(big), 'CREDENTIAL_TOO_LARGE');
      expectRefused(await check(good, {}, checkOptions({ maxBytes: 512 })), 'CREDENTIAL_TOO_LARGE');
    });

    it('refuses what is not a credential, without throwing', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const notVerifiable = copy(good);
      notVerifiable.type = ['ImpactClaimCredential'];
      const noSubjectId = copy(good);
      delete subjectOf(noSubjectId).id;
      const wrongFirstContext = copy(good);
      wrongFirstContext['@context'] = [IMPACT_LEDGER_CONTEXT_V1_URL];
      for (const input of [null, 'a string', 42, [], cyclic, notVerifiable, noSubjectId, wrongFirstContext]) {
        expectRefused(await check(input), 'INVALID_CREDENTIAL_SCHEMA');
      }
    });

    it("refuses a subject that does not match the protocol's subject schema", async () => {
      const car = await signedCommute(issuer, { subject: { mode: 'car' } });
      const result = await check(car);
      expectRefused(result, 'INVALID_SUBJECT_SCHEMA');
      expect(!result.ok && JSON.stringify(result.details)).to.include('/mode');
      expect(await check(car, { subjectSchema: ANY_SUBJECT })).to.include({ ok: true });
    });
  });

  describe('quantity and period', () => {
    it('refuses a quantity that is missing, zero, negative, fractional, a string or unsafe', async () => {
      const noSchema = commutePolicy([issuer.controller], { subjectSchema: ANY_SUBJECT });
      for (const quantity of [0, -5, 1.5, '1200', 2 ** 53, null]) {
        const signed = await signedCommute(issuer, { subject: { quantity } });
        expectRefused(await checkCredential(signed, noSchema, checkOptions()), 'INVALID_QUANTITY');
      }
      const missing = commuteCredential(issuer.controller);
      delete subjectOf(missing).quantity;
      expectRefused(await checkCredential(await signCredential(missing, issuer, { date: '2025-06-30T08:00:00Z' }), noSchema, checkOptions()), 'INVALID_QUANTITY');
    });

    it('refuses a period that ends before it starts, is longer than 366 days or is not a calendar date', async () => {
      const periods: JsonObject[] = [
        { activityPeriodStart: '2025-05-31', activityPeriodEnd: '2025-05-01' },
        { activityPeriodStart: '2024-01-01', activityPeriodEnd: '2025-01-01' },
        { activityPeriodStart: '2025-02-01', activityPeriodEnd: '2025-02-30' },
      ];
      for (const period of periods) {
        const signed = await signedCommute(issuer, { subject: period });
        expectRefused(await check(signed, { subjectSchema: ANY_SUBJECT }), 'INVALID_PERIOD');
      }
      const leapYear = await signedCommute(issuer, { subject: { activityPeriodStart: '2024-01-01', activityPeriodEnd: '2024-12-31' } });
      expect(await check(leapYear)).to.include({ ok: true, periodStart: '2024-01-01', periodEnd: '2024-12-31' });
    });
  });
});

/**
 * The credential attack list of issue 6 as one table: each attack, how it is built from a good
 * credential, and the refusal it must get. Replay is not the credential check's to judge (it is
 * stateless): a replayed credential, even reformatted, must give the same credential hash, which
 * the chaincode's replay rule then refuses (e2e: test/e2e/refusals.test.ts, CREDENTIAL_REPLAYED).
 */
describe('credentials: the attack list, one table', () => {
  interface Attack {
    name: string;
    build: (ctx: { issuer: IssuerKeyPair; attacker: IssuerKeyPair; good: JsonObject }) => Promise<JsonObject> | JsonObject;
    policy?: Partial<CredentialPolicy>;
    refusedWith: CredentialRefusalCode | 'CREDENTIAL_REPLAYED';
  }
  const ATTACKS: Attack[] = [
    { name: 'forged signature (another key, claiming the issuer)', refusedWith: 'INVALID_SIGNATURE',
      build: ({ issuer, attacker }) => signCredential(commuteCredential(issuer.controller), { ...issuer, secretKeyMultibase: attacker.secretKeyMultibase }, { date: '2025-06-30T08:00:00Z' }) },
    { name: 'tampered subject (quantity x10)', refusedWith: 'INVALID_SIGNATURE',
      build: ({ good }) => { const t = copy(good); subjectOf(t).quantity = 185000; return t; } },
    { name: 'replayed credential (same credential, keys reordered)', refusedWith: 'CREDENTIAL_REPLAYED',
      build: ({ good }) => Object.fromEntries(Object.entries(copy(good)).reverse()) as JsonObject },
    { name: 'expired', refusedWith: 'CREDENTIAL_EXPIRED',
      build: ({ issuer }) => signedCommute(issuer, { fields: { validUntil: '2025-06-30T23:59:59Z' } }) },
    { name: 'not yet valid', refusedWith: 'CREDENTIAL_NOT_YET_VALID',
      build: ({ issuer }) => signedCommute(issuer, { fields: { validFrom: '2025-07-02T00:00:00Z' } }) },
    { name: 'untrusted issuer (valid signature)', refusedWith: 'UNTRUSTED_ISSUER',
      build: ({ attacker }) => signedCommute(attacker) },
    { name: 'wrong cryptosuite', refusedWith: 'UNSUPPORTED_CRYPTOSUITE',
      build: ({ good }) => { const t = copy(good); proofOf(t).cryptosuite = 'ecdsa-rdfc-2019'; return t; } },
    { name: 'remote @context', refusedWith: 'REMOTE_CONTEXT_REFUSED',
      build: ({ good }) => withContext(good, 'https://evil.example/contexts/v1') },
    { name: 'context injection redefining a term (quantity)', refusedWith: 'INVALID_JSON_LD',
      build: ({ good }) => withContext(good, { quantity: 'https://evil.example/vocab#quantity' }) },
    { name: 'oversized credential (70 KiB)', refusedWith: 'CREDENTIAL_TOO_LARGE',
      build: ({ good }) => { const t = copy(good); subjectOf(t).note = 'x'.repeat(70 * 1024); return t; } },
  ];

  let ctx: { issuer: IssuerKeyPair; attacker: IssuerKeyPair; good: JsonObject };
  let policy: CredentialPolicy;
  before(async () => {
    ({ ctx, policy } = await attackContext());
  });

  it('covers the whole list of issue 6', () => {
    expect(ATTACKS.map((a) => a.refusedWith)).to.have.members([
      'INVALID_SIGNATURE', 'INVALID_SIGNATURE', 'CREDENTIAL_REPLAYED', 'CREDENTIAL_EXPIRED', 'CREDENTIAL_NOT_YET_VALID',
      'UNTRUSTED_ISSUER', 'UNSUPPORTED_CRYPTOSUITE', 'REMOTE_CONTEXT_REFUSED', 'INVALID_JSON_LD', 'CREDENTIAL_TOO_LARGE',
    ]);
  });

  for (const attack of ATTACKS) {
    it(`${attack.name}: ${attack.refusedWith}`, async () => {
      const credential = await attack.build(ctx);
      let result: CredentialCheckResult | undefined;
      const attempts = await withNetworkTrap(async () => {
        result = await checkCredential(credential, { ...policy, ...attack.policy }, checkOptions());
      });
      expect(attempts, 'no network access').to.deep.equal([]);
      if (result === undefined) throw new Error('the check did not run');
      if (attack.refusedWith !== 'CREDENTIAL_REPLAYED') {
        expectRefused(result, attack.refusedWith);
        return;
      }
      // the replay passes the stateless check with the original's hash: the ledger key it collides on
      const original = await checkCredential(ctx.good, policy, checkOptions());
      expect(result.ok && original.ok && result.credentialHash === original.credentialHash, 'same credential hash').to.equal(true);
      if (!result.ok) return;
      const anchored = { id: claimIdOf(result.credentialHash), status: 'submitted' } as Parameters<typeof assertNotReplayed>[0];
      expect(() => assertNotReplayed(anchored)).to.throw(ChaincodeError).with.property('code', 'CREDENTIAL_REPLAYED');
    });
  }
});
