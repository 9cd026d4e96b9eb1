/**
 * screenCredential, the gateway's cheap precheck: what it refuses, checkCredential refuses too
 * (it must never turn away a credential the endorsing peers would accept), with the same code
 * where only one thing is wrong; what needs JSON-LD or the issuer's key it leaves to the peers.
 */
import { checkCredential, screenCredential, signCredential, type CredentialPolicy, type CredentialRefusalCode, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { asObject, attackContext, checkOptions, commuteCredential, copy, signedCommute, withNetworkTrap } from '../helpers/credentials-fixtures';

interface Case {
  readonly name: string;
  readonly build: (ctx: { issuer: IssuerKeyPair; attacker: IssuerKeyPair; good: JsonObject }) => Promise<JsonObject> | JsonObject;
  readonly policy?: Partial<CredentialPolicy>;
  /** The screen's refusal (checkCredential's is the same); undefined: the screen lets it pass. */
  readonly screenedWith: CredentialRefusalCode | undefined;
  /** checkCredential's refusal. */
  readonly refusedWith: CredentialRefusalCode;
}

const subjectOf = (credential: JsonObject): JsonObject => asObject(credential.credentialSubject, 'credentialSubject');
const proofOf = (credential: JsonObject): JsonObject => asObject(credential.proof, 'proof');

const CASES: Case[] = [
  // what the screen sees: the same refusal as the binding check
  { name: 'oversized (70 KiB)', screenedWith: 'CREDENTIAL_TOO_LARGE', refusedWith: 'CREDENTIAL_TOO_LARGE',
    build: ({ good }) => { const t = copy(good); subjectOf(t).note = 'x'.repeat(70 * 1024); return t; } },
  { name: 'no proof', screenedWith: 'INVALID_CREDENTIAL_SCHEMA', refusedWith: 'INVALID_CREDENTIAL_SCHEMA',
    build: ({ good }) => { const t = copy(good); delete t.proof; return t; } },
  { name: 'wrong cryptosuite', screenedWith: 'UNSUPPORTED_CRYPTOSUITE', refusedWith: 'UNSUPPORTED_CRYPTOSUITE',
    build: ({ good }) => { const t = copy(good); proofOf(t).cryptosuite = 'ecdsa-rdfc-2019'; return t; } },
  { name: 'untrusted issuer (valid signature)', screenedWith: 'UNTRUSTED_ISSUER', refusedWith: 'UNTRUSTED_ISSUER',
    build: ({ attacker }) => signedCommute(attacker) },
  { name: 'expired', screenedWith: 'CREDENTIAL_EXPIRED', refusedWith: 'CREDENTIAL_EXPIRED',
    build: ({ issuer }) => signedCommute(issuer, { fields: { validUntil: '2025-06-30T23:59:59Z' } }) },
  { name: 'not yet valid', screenedWith: 'CREDENTIAL_NOT_YET_VALID', refusedWith: 'CREDENTIAL_NOT_YET_VALID',
    build: ({ issuer }) => signedCommute(issuer, { fields: { validFrom: '2025-07-02T00:00:00Z' } }) },
  { name: 'subject outside the schema', screenedWith: 'INVALID_SUBJECT_SCHEMA', refusedWith: 'INVALID_SUBJECT_SCHEMA',
    build: ({ issuer }) => signedCommute(issuer, { subject: { mode: 'car' } }) },
  { name: 'subject id in a mailto URL', screenedWith: 'INVALID_SUBJECT_ID', refusedWith: 'INVALID_SUBJECT_ID',
    build: ({ issuer }) => signedCommute(issuer, { subject: { id: 'mailto:commuter@people.example' } }), policy: { subjectSchema: { type: 'object' } } },
  { name: 'fractional quantity', screenedWith: 'INVALID_QUANTITY', refusedWith: 'INVALID_QUANTITY',
    build: ({ issuer }) => signedCommute(issuer, { subject: { quantity: 1.5 } }), policy: { subjectSchema: { type: 'object' } } },
  { name: 'period ending before it starts', screenedWith: 'INVALID_PERIOD', refusedWith: 'INVALID_PERIOD',
    build: ({ issuer }) => signedCommute(issuer, { subject: { activityPeriodStart: '2025-05-31', activityPeriodEnd: '2025-05-01' } }), policy: { subjectSchema: { type: 'object' } } },
  // what only the binding check sees
  { name: 'forged signature (another key, claiming the issuer)', screenedWith: undefined, refusedWith: 'INVALID_SIGNATURE',
    build: ({ issuer, attacker }) => signCredential(commuteCredential(issuer.controller), { ...issuer, secretKeyMultibase: attacker.secretKeyMultibase }, { date: '2025-06-30T08:00:00Z' }) },
  { name: 'tampered subject (quantity x10)', screenedWith: undefined, refusedWith: 'INVALID_SIGNATURE',
    build: ({ good }) => { const t = copy(good); subjectOf(t).quantity = 185000; return t; } },
  { name: 'remote @context', screenedWith: undefined, refusedWith: 'REMOTE_CONTEXT_REFUSED',
    build: ({ good }) => ({ ...copy(good), '@context': [...(good['@context'] as string[]), 'https://evil.example/contexts/v1'] }) },
  { name: 'context redefining a term', screenedWith: undefined, refusedWith: 'INVALID_JSON_LD',
    build: ({ good }) => ({ ...copy(good), '@context': [...(good['@context'] as string[]), { quantity: 'https://evil.example/vocab#quantity' }] }) },
  // two faults: the screen names the one it sees, the binding check the first in its order
  { name: 'tampered and expired', screenedWith: 'CREDENTIAL_EXPIRED', refusedWith: 'INVALID_SIGNATURE',
    build: async ({ issuer }) => { const t = await signedCommute(issuer, { fields: { validUntil: '2025-06-30T23:59:59Z' } }); subjectOf(t).quantity = 1; return t; } },
];

describe('credentials: screenCredential', () => {
  let ctx: { issuer: IssuerKeyPair; attacker: IssuerKeyPair; good: JsonObject };
  let policy: CredentialPolicy;
  before(async () => {
    ({ ctx, policy } = await attackContext());
  });

  it('lets a good credential pass with the issuer, quantity and period checkCredential reads', async () => {
    const full = await checkCredential(ctx.good, policy, checkOptions());
    const screened = await screenCredential(ctx.good, policy, checkOptions());
    expect(full.ok).to.equal(true);
    if (!full.ok) return;
    expect(screened).to.deep.equal({ ok: true, issuer: full.issuer, quantity: full.quantity, periodStart: full.periodStart, periodEnd: full.periodEnd });
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.screenedWith ?? 'passes the screen'}, then ${c.refusedWith}`, async () => {
      const credential = await c.build(ctx);
      const cPolicy = { ...policy, ...c.policy };
      const full = await checkCredential(credential, cPolicy, checkOptions());
      let screened: Awaited<ReturnType<typeof screenCredential>> | undefined;
      const attempts = await withNetworkTrap(async () => {
        screened = await screenCredential(credential, cPolicy, { now: checkOptions().now, maxBytes: checkOptions().maxBytes });
      });
      expect(attempts, 'no network access').to.deep.equal([]);
      expect(full, 'checkCredential refuses').to.include({ ok: false, code: c.refusedWith });
      if (c.screenedWith === undefined) expect(screened, 'the screen lets it pass').to.include({ ok: true });
      else expect(screened, 'the screen refuses').to.include({ ok: false, code: c.screenedWith });
    });
  }

  it('never refuses what checkCredential accepts: every field of a good credential removed or replaced', async () => {
    const variants: JsonObject[] = [];
    for (const [holder, keys] of [['credential', Object.keys(ctx.good)], ['subject', Object.keys(subjectOf(ctx.good))], ['proof', Object.keys(proofOf(ctx.good))]] as const) {
      for (const key of keys) {
        for (const value of [undefined, null, 1, 'x', '2025-05-01', [], {}]) {
          const t = copy(ctx.good);
          const target = holder === 'credential' ? t : holder === 'subject' ? subjectOf(t) : proofOf(t);
          if (value === undefined) delete target[key];
          else target[key] = value;
          variants.push(t);
        }
      }
    }
    let screenedOut = 0;
    for (const variant of variants) {
      const screened = await screenCredential(variant, policy, checkOptions());
      if (screened.ok) continue;
      screenedOut++;
      const full = await checkCredential(variant, policy, checkOptions());
      expect(full.ok, `${JSON.stringify(variant).slice(0, 200)}: screened out with ${screened.code}, accepted by checkCredential`).to.equal(false);
    }
    expect(screenedOut, 'the screen refused most variants').to.be.greaterThan(variants.length / 2);
  });
});
