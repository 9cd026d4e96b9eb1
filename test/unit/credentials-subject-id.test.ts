/**
 * Subject ids are canonical before they become pseudonyms: the same person in NFC or NFD, with a
 * fullwidth digit or with a trailing slash gets one pseudonym; ids with invisible characters, or
 * that are neither DIDs nor http/https/urn URLs, are refused (INVALID_SUBJECT_ID).
 */
import { canonicalSubjectId, checkCredential, type CredentialCheckResult, type IssuerKeyPair } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { checkOptions, commutePolicy, seededIssuer, signedCommute } from '../helpers/credentials-fixtures';

const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';

function canonical(id: string): string {
  const checked = canonicalSubjectId(id);
  if (!checked.ok) throw new Error(`${id} refused: ${checked.reason}`);
  return checked.value;
}

describe('credentials: canonical subject ids', function () {
  this.timeout(30_000);
  let issuer: IssuerKeyPair;
  before(async () => {
    issuer = await seededIssuer(9);
  });

  async function checked(id: string): Promise<CredentialCheckResult> {
    return checkCredential(await signedCommute(issuer, { subject: { id } }), commutePolicy([issuer.controller]), checkOptions());
  }

  async function pseudonymOf(id: string): Promise<string> {
    const result = await checked(id);
    if (!result.ok) throw new Error(`${id} refused: ${result.code} ${result.message}`);
    return result.subjectPseudonym;
  }

  it('gives one pseudonym to NFC and NFD forms of the same URL id', async () => {
    expect(await pseudonymOf(`https://people.example/${NFD}`)).to.equal(await pseudonymOf(`https://people.example/${NFC}`));
  });

  it('gives one pseudonym to an id with a fullwidth digit and its ASCII form (NFKC folds it)', async () => {
    expect(await pseudonymOf('did:example:commuter-\uff14\uff12')).to.equal(await pseudonymOf('did:example:commuter-42'));
    expect(await pseudonymOf('https://people.example/commuter/\uff14\uff12')).to.equal(await pseudonymOf('https://people.example/commuter/42'));
  });

  for (const [label, id] of [
    ['a zero-width space', 'did:example:commuter\u200b-42'],
    ['a trailing zero-width joiner', 'did:example:commuter-42\u200d'],
    ['a raw non-ASCII character in a DID', `did:example:${NFC}`],
    ['an Arabic-Indic digit', 'https://people.example/commuter/\u0664\u0662'],
    ['a mailto URL', 'mailto:commuter@people.example'],
    ['a file URL', 'file:///etc/passwd'],
    ['an uppercase DID method', 'did:EXAMPLE:commuter-42'],
  ] as const) {
    it(`refuses a subject id with ${label} (INVALID_SUBJECT_ID)`, async () => {
      const result = await checked(id);
      expect(result.ok).to.equal(false);
      expect(!result.ok && result.code).to.equal('INVALID_SUBJECT_ID');
    });
  }

  // ids the credential library itself will not sign: refused by the pure rule all the same
  for (const [label, id] of [
    ['a byte order mark', '\ufeffdid:example:commuter-42'],
    ['a no-break space', 'did:example:commuter\u00a0-42'],
    ['a newline', 'https://people.example/commuter/42\n'],
    ['a tab', 'did:example:commuter\t42'],
    ['neither a DID nor a URL', 'commuter-42'],
    ['nothing', ''],
  ] as const) {
    it(`canonicalSubjectId refuses an id with ${label}`, () => {
      expect(canonicalSubjectId(id).ok).to.equal(false);
    });
  }

  it('canonicalSubjectId: DIDs as written (percent hex uppercased), URLs as WHATWG serialises them', () => {
    expect(canonical('did:example:commuter-42')).to.equal('did:example:commuter-42');
    expect(canonical('did:web:people.example:users:caf%c3%a9')).to.equal('did:web:people.example:users:caf%C3%A9');
    expect(canonical('HTTPS://People.Example')).to.equal('https://people.example/');
    expect(canonical(`https://people.example/${NFD}`)).to.equal('https://people.example/caf%C3%A9');
    expect(canonical('urn:uuid:3f1b2c9e-1d2a-4b5c-8d7e-123456789abc')).to.equal('urn:uuid:3f1b2c9e-1d2a-4b5c-8d7e-123456789abc');
    expect(canonicalSubjectId('urn:x:y').ok, 'a one-letter URN namespace').to.equal(false);
  });
});
