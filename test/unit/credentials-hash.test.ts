/**
 * The credential hash (sha256 of the RDFC-1.0 canonical N-Quads of the whole credential) and the
 * subject pseudonym (HMAC-SHA256 of the subject id under the protocol's salt).
 */
import { canonicalNQuads, checkCredential, createStaticDocumentLoader, credentialHash, subjectPseudonym, type IssuerKeyPair, type JsonObject, type JsonValue } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { createHash, createHmac } from 'node:crypto';
import { COMMUTER_ID, asObject, checkOptions, commutePolicy, copy, seededIssuer, signedCommute } from '../helpers/credentials-fixtures';

/** `value` with the keys of every object in reverse order (same JSON-LD, other bytes). */
function reversedKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).reverse().map((key) => [key, reversedKeys(value[key] ?? null)]));
}

describe('credentials: credential hash and subject pseudonym', () => {
  const loader = createStaticDocumentLoader();
  let issuer: IssuerKeyPair;
  let credential: JsonObject;
  let hash: string;

  before(async () => {
    issuer = await seededIssuer(1);
    credential = await signedCommute(issuer);
    hash = await credentialHash(credential, loader);
  });

  it('is sha256 hex of the canonical N-Quads, with the proof in a named graph of its own', async () => {
    const nquads = await canonicalNQuads(credential, loader);
    expect(hash).to.equal(createHash('sha256').update(nquads, 'utf8').digest('hex'));
    const proofValue = String(asObject(credential.proof, 'proof').proofValue);
    const proofLine = nquads.split('\n').find((line) => line.includes(proofValue)) ?? '';
    expect(proofLine).to.match(/ _:c14n\d+ \.$/);
    expect(nquads).to.include('<https://impact-ledger.org/vocab#quantity> "18500"^^<http://www.w3.org/2001/XMLSchema#integer>');
  });

  it('is deterministic: the same credential with its keys reordered, or re-encoded, has the same hash', async () => {
    const reordered = reversedKeys(credential);
    expect(JSON.stringify(reordered)).to.not.equal(JSON.stringify(credential));
    expect(await credentialHash(asObject(reordered, 'credential'), loader)).to.equal(hash);
    expect(await credentialHash(asObject(JSON.parse(JSON.stringify(credential, null, 2)), 'credential'), loader)).to.equal(hash);
  });

  it('is what checkCredential returns, for the credential in any key order', async () => {
    const policy = commutePolicy([issuer.controller]);
    expect(await checkCredential(credential, policy, checkOptions())).to.include({ ok: true, credentialHash: hash });
    expect(await checkCredential(reversedKeys(credential), policy, checkOptions())).to.include({ ok: true, credentialHash: hash });
  });

  it('changes when any field changes, proof included', async () => {
    const changes: Array<[string, (copy: JsonObject) => void]> = [
      ['subject quantity', (c) => { asObject(c.credentialSubject, 'subject').quantity = 18501; }],
      ['subject id', (c) => { asObject(c.credentialSubject, 'subject').id = 'did:example:commuter-43'; }],
      ['subject mode', (c) => { asObject(c.credentialSubject, 'subject').mode = 'walk'; }],
      ['period end', (c) => { asObject(c.credentialSubject, 'subject').activityPeriodEnd = '2025-05-30'; }],
      ['issuer', (c) => { c.issuer = 'did:example:other-issuer'; }],
      ['validFrom', (c) => { c.validFrom = '2025-06-01T00:00:01Z'; }],
      ['id', (c) => { c.id = 'urn:uuid:3f1b6a52-8d55-4c39-9a57-0e0c8f1d7a12'; }],
      ['type', (c) => { c.type = ['VerifiableCredential', 'ImpactClaimCredential']; }],
      ['proof created', (c) => { asObject(c.proof, 'proof').created = '2025-06-30T08:00:01Z'; }],
      ['proofValue', (c) => { const proof = asObject(c.proof, 'proof'); proof.proofValue = `${String(proof.proofValue).slice(0, -1)}1`; }],
    ];
    const seen = new Set([hash]);
    for (const [what, change] of changes) {
      const changed = copy(credential);
      change(changed);
      const changedHash = await credentialHash(changed, loader);
      expect(seen.has(changedHash), what).to.equal(false);
      seen.add(changedHash);
    }
  });

  it('ignores context additions that cannot change the meaning (type-scoped protected terms win)', async () => {
    const context = credential['@context'];
    if (!Array.isArray(context)) throw new Error('@context is not an array');
    const padded = { ...copy(credential), '@context': [...context, { issuer: 'https://evil.example/vocab#issuer' }] };
    expect(await credentialHash(padded, loader)).to.equal(hash);
  });

  it('pseudonym: HMAC-SHA256 of the subject id keyed by the salt; differs per salt; never contains the id', () => {
    const first = subjectPseudonym(COMMUTER_ID, 'salt-of-protocol-a');
    const second = subjectPseudonym(COMMUTER_ID, 'salt-of-protocol-b');
    expect(first).to.match(/^[0-9a-f]{64}$/);
    expect(first).to.equal(createHmac('sha256', 'salt-of-protocol-a').update(COMMUTER_ID).digest('hex'));
    expect(first).to.not.equal(second);
    expect(first).to.equal(subjectPseudonym(COMMUTER_ID, 'salt-of-protocol-a'));
    expect(subjectPseudonym('did:example:commuter-43', 'salt-of-protocol-a')).to.not.equal(first);
    for (const pseudonym of [first, second]) {
      expect(pseudonym).to.not.include(COMMUTER_ID);
      expect(pseudonym).to.not.include('commuter');
      expect(pseudonym).to.not.include(Buffer.from(COMMUTER_ID).toString('hex'));
    }
  });

  it("checkCredential's result carries the pseudonym, never the subject id", async () => {
    const policy = commutePolicy([issuer.controller]);
    const result = await checkCredential(credential, policy, checkOptions());
    expect(result).to.include({ ok: true, subjectPseudonym: subjectPseudonym(COMMUTER_ID, policy.pseudonymSalt) });
    expect(JSON.stringify(result)).to.not.include(COMMUTER_ID);
    const otherSalt = await checkCredential(credential, { ...policy, pseudonymSalt: 'another protocol' }, checkOptions());
    expect(otherSalt.ok && otherSalt.subjectPseudonym).to.not.equal(result.ok && result.subjectPseudonym);
  });
});
