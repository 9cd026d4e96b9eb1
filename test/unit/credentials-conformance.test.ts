/**
 * Conformance with the W3C vc-di-eddsa test vector for eddsa-rdfc-2022 (shared/conformance):
 * it verifies, any one changed byte in its subject, issuer, validFrom or proofValue makes it fail,
 * and re-signing it with its published key reproduces its proofValue.
 */
import { checkCredentialIntegrity, createStaticDocumentLoader, signCredential, type JsonObject } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { asObject, conformanceVector, copy, withNetworkTrap } from '../helpers/credentials-fixtures';

const NOW = new Date('2024-06-01T00:00:00Z');
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** `value` with the character at `index` replaced by another one of `alphabet`. */
function changeOneCharacter(value: string, index: number, alphabet = LETTERS): string {
  const original = value.charAt(index);
  const replacement = [...alphabet].find((candidate) => candidate.toLowerCase() !== original.toLowerCase()) ?? '_';
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

describe('credentials: W3C vc-di-eddsa conformance (eddsa-rdfc-2022)', () => {
  const vector = conformanceVector();
  const policy = { trustedIssuers: [vector.issuer] };
  const options = { now: NOW, documentLoader: vector.documentLoader, maxBytes: 16 * 1024 };

  async function check(credential: JsonObject, trustedIssuers: string[] = [vector.issuer]) {
    return checkCredentialIntegrity(credential, { trustedIssuers }, options);
  }

  it('verifies the signed vector with its issuer from the key registry, without touching the network', async () => {
    let result: Awaited<ReturnType<typeof check>> | undefined;
    const attempts = await withNetworkTrap(async () => {
      result = await check(vector.credential);
    });
    expect(result).to.include({ ok: true, issuer: vector.issuer });
    expect(attempts).to.deep.equal([]);
  });

  it('re-signing with the published key and date = proof.created reproduces proofValue exactly', async () => {
    const { proof, ...unsigned } = copy(vector.credential);
    const original = asObject(proof, 'proof');
    const signed = await signCredential(unsigned, vector.keyPair, { date: String(original.created) });
    expect(asObject(signed.proof, 'proof')).to.deep.equal(original);
  });

  it('refuses the vector after a one-character change anywhere in its subject', async () => {
    const subject = asObject(vector.credential.credentialSubject, 'credentialSubject');
    for (const [key, value] of Object.entries(subject)) {
      for (const index of [0, String(value).length - 1]) {
        const tampered = copy(vector.credential);
        asObject(tampered.credentialSubject, 'credentialSubject')[key] = changeOneCharacter(String(value), index);
        const result = await check(tampered);
        expect(result, `credentialSubject.${key}[${index}]`).to.include({ ok: false, code: 'INVALID_SIGNATURE' });
      }
    }
  });

  it('refuses a subject id made relative by a one-character change before the signature (safe-mode JSON-LD)', async () => {
    const tampered = copy(vector.credential);
    asObject(tampered.credentialSubject, 'credentialSubject').id = '1id:example:abcdefgh';
    expect(await check(tampered)).to.include({ ok: false, code: 'INVALID_JSON_LD' });
  });

  it('refuses the vector after a one-character change to its validFrom', async () => {
    const tampered = copy(vector.credential);
    tampered.validFrom = '2023-01-02T00:00:00Z';
    expect(await check(tampered)).to.include({ ok: false, code: 'INVALID_SIGNATURE' });
  });

  it('refuses a one-character change to its issuer: untrusted, or (when trusted) not the key controller', async () => {
    const tampered = copy(vector.credential);
    tampered.issuer = 'https://vc.example/issuers/5679';
    expect(await check(tampered)).to.include({ ok: false, code: 'UNTRUSTED_ISSUER' });
    expect(await check(tampered, [vector.issuer, 'https://vc.example/issuers/5679'])).to.include({ ok: false, code: 'INVALID_SIGNATURE' });
  });

  it('refuses the vector after a one-character change at any of several places of its proofValue', async () => {
    const proofValue = String(asObject(vector.credential.proof, 'proof').proofValue);
    for (const index of [1, 2, 20, 45, proofValue.length - 2, proofValue.length - 1]) {
      const tampered = copy(vector.credential);
      asObject(tampered.proof, 'proof').proofValue = changeOneCharacter(proofValue, index, BASE58);
      expect(await check(tampered), `proofValue[${index}]`).to.include({ ok: false, code: 'INVALID_SIGNATURE' });
    }
  });

  it('refuses the vector after a change to a top-level statement (name, description, type)', async () => {
    const changes: Array<(credential: JsonObject) => void> = [
      (credential) => { credential.name = 'Alumni CredentiaL'; },
      (credential) => { credential.description = String(credential.description).replace('minimum', 'minimal'); },
      (credential) => { credential.type = ['VerifiableCredential', 'AlumniCredentiaL']; },
    ];
    for (const change of changes) {
      const tampered = copy(vector.credential);
      change(tampered);
      expect(await check(tampered)).to.include({ ok: false, code: 'INVALID_SIGNATURE' });
    }
  });

  it('refuses the vector when its issuer key is not registered, and fetches nothing', async () => {
    let result: Awaited<ReturnType<typeof check>> | undefined;
    const attempts = await withNetworkTrap(async () => {
      result = await checkCredentialIntegrity(vector.credential, policy, { ...options, documentLoader: createStaticDocumentLoader() });
    });
    expect(result).to.include({ ok: false, code: 'INVALID_SIGNATURE' });
    expect(result?.ok === false ? result.details.cause : undefined).to.equal('REMOTE_CONTEXT_REFUSED');
    expect(attempts).to.deep.equal([]);
  });
});
