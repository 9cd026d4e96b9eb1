/**
 * The worker-thread credential checker gives exactly the answers of the inline one: accepted
 * credentials with the same anchors, the same refusal codes, and a bad protocol schema as a
 * CredentialError on the calling side.
 */
import { inlineChecker, threadPoolChecker, type CredentialChecker } from '@impact-ledger/gateway';
import { CredentialError, createStaticDocumentLoader, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { NOW, commutePolicy, copy, seededIssuer, signedCommute } from '../helpers/credentials-fixtures';

describe('credential checker: worker threads', function () {
  this.timeout(30_000);
  let issuer: IssuerKeyPair;
  let good: JsonObject;
  let pool: CredentialChecker;
  const inline = inlineChecker({ documentLoader: createStaticDocumentLoader(), maxBytes: 64 * 1024 });

  before(async () => {
    issuer = await seededIssuer(7);
    good = await signedCommute(issuer);
    pool = threadPoolChecker({ threads: 2, maxBytes: 64 * 1024 });
  });
  after(async () => pool.close());

  it('accepts a good credential with the same hash, pseudonym, quantity and period', async () => {
    const policy = commutePolicy([issuer.controller]);
    const [a, b] = [await inline.check(good, policy, NOW), await pool.check(good, policy, NOW)];
    expect(a.ok, JSON.stringify(a)).to.equal(true);
    expect(b).to.deep.equal(a);
    expect(pool.threads).to.equal(2);
  });

  it('refuses with the same codes (tampered subject, untrusted issuer, expired, too large)', async () => {
    const tampered = copy(good);
    (tampered.credentialSubject as JsonObject).quantity = 999_999;
    const cases: [unknown, string[], Date][] = [
      [tampered, [issuer.controller], NOW],
      [good, ['did:example:someone-else'], NOW],
      [good, [issuer.controller], new Date('2099-01-01T00:00:00Z')],
      [{ ...good, padding: 'x'.repeat(70 * 1024) }, [issuer.controller], NOW],
      ['not a credential', [issuer.controller], NOW],
    ];
    const codes: string[] = [];
    for (const [credential, issuers, now] of cases) {
      const a = await inline.check(credential, commutePolicy(issuers), now);
      const b = await pool.check(credential, commutePolicy(issuers), now);
      expect(b).to.deep.equal(a);
      codes.push(a.ok ? 'accepted' : a.code);
    }
    expect(codes).to.deep.equal(['INVALID_SIGNATURE', 'UNTRUSTED_ISSUER', 'CREDENTIAL_EXPIRED', 'CREDENTIAL_TOO_LARGE', 'INVALID_CREDENTIAL_SCHEMA']);
    const integrity = await pool.checkIntegrity(good, { trustedIssuers: [issuer.controller] }, NOW);
    expect(integrity).to.deep.equal(await inline.checkIntegrity(good, { trustedIssuers: [issuer.controller] }, NOW));
  });

  it('throws a CredentialError for a protocol schema that does not compile, as inline does', async () => {
    const policy = commutePolicy([issuer.controller], { subjectSchema: { type: 'no-such-type' } });
    const inlineError = await inline.check(good, policy, NOW).then(() => undefined, (e: unknown) => e);
    const poolError = await pool.check(good, policy, NOW).then(() => undefined, (e: unknown) => e);
    expect(inlineError).to.be.instanceOf(CredentialError);
    expect(poolError).to.be.instanceOf(CredentialError);
    expect((poolError as CredentialError).code).to.equal((inlineError as CredentialError).code);
  });

  it('checks many credentials at once without mixing answers', async () => {
    const policy = commutePolicy([issuer.controller]);
    const credentials = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => signedCommute(issuer, { subject: { quantity: 1000 * n } })));
    const results = await Promise.all(credentials.map((c) => pool.check(c, policy, NOW)));
    expect(results.map((r) => (r.ok ? r.quantity : r.code))).to.deep.equal([1000, 2000, 3000, 4000, 5000, 6000]);
  });
});
