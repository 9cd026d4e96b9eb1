/**
 * The static document loader (bundled contexts, did:key computed locally, the issuer key
 * registry; nothing else) and the subject schemas of protocols.
 */
import { CREDENTIALS_EXAMPLES_V2_URL, CREDENTIALS_V1_URL, CREDENTIALS_V2_URL, CredentialError, IMPACT_LEDGER_CONTEXT_V1_URL, checkCredential, compileSubjectSchema, createStaticDocumentLoader, type CredentialErrorCode, type IssuerKeyRecord } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { COMMUTE_SUBJECT_SCHEMA, asObject, checkOptions, commutePolicy, seededIssuer, signedCommute, withNetworkTrap } from '../helpers/credentials-fixtures';

async function expectRejection(promise: Promise<unknown>, code: CredentialErrorCode): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CredentialError);
    if (error instanceof CredentialError) expect(error.code).to.equal(code);
    return;
  }
  expect.fail(`expected a CredentialError ${code}`);
}

function expectThrows(body: () => unknown, code: CredentialErrorCode): void {
  try {
    body();
  } catch (error) {
    expect(error).to.be.instanceOf(CredentialError);
    if (error instanceof CredentialError) expect(error.code).to.equal(code);
    return;
  }
  expect.fail(`expected a CredentialError ${code}`);
}

const ISSUER = 'https://issuers.example/mobility-app';
const KEY = 'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2';

describe('credentials: static document loader', () => {
  const registry: IssuerKeyRecord[] = [{ controller: ISSUER, keys: [{ id: `${ISSUER}#key-1`, publicKeyMultibase: KEY }] }];
  const loader = createStaticDocumentLoader({ issuerKeys: registry });

  it('serves the bundled contexts', async () => {
    const urls = [
      CREDENTIALS_V1_URL,
      CREDENTIALS_V2_URL,
      'https://w3id.org/security/data-integrity/v1',
      'https://w3id.org/security/data-integrity/v2',
      CREDENTIALS_EXAMPLES_V2_URL,
      IMPACT_LEDGER_CONTEXT_V1_URL,
    ];
    for (const url of urls) {
      const loaded = await loader(url);
      expect(loaded.documentUrl).to.equal(url);
      expect(loaded.document).to.have.property('@context');
    }
  });

  it("the impact-ledger context is protected and defines the claim subject's terms", async () => {
    const context = asObject((await loader(IMPACT_LEDGER_CONTEXT_V1_URL)).document['@context'], '@context');
    expect(context['@protected']).to.equal(true);
    for (const term of ['ImpactClaimCredential', 'CommuteModalShiftCredential', 'activityPeriodStart', 'activityPeriodEnd', 'quantity', 'unit', 'mode', 'distanceKm']) {
      expect(context, term).to.have.property(term);
    }
  });

  it('refuses any other http(s) URL with REMOTE_CONTEXT_REFUSED and any other URL with UNKNOWN_DOCUMENT, offline', async () => {
    const attempts = await withNetworkTrap(async () => {
      await expectRejection(loader('https://www.w3.org/ns/odrl.jsonld'), 'REMOTE_CONTEXT_REFUSED');
      await expectRejection(loader('http://schema.org/'), 'REMOTE_CONTEXT_REFUSED');
      await expectRejection(loader(`${ISSUER}#key-2`), 'REMOTE_CONTEXT_REFUSED');
      await expectRejection(loader('urn:example:context'), 'UNKNOWN_DOCUMENT');
      await expectRejection(loader('did:web:issuers.example'), 'UNKNOWN_DOCUMENT');
    });
    expect(attempts).to.deep.equal([]);
  });

  it('computes did:key documents and verification methods locally, Ed25519 only', async () => {
    const issuer = await seededIssuer(7);
    const didDocument = (await loader(issuer.controller)).document;
    expect(didDocument.id).to.equal(issuer.controller);
    expect(didDocument.assertionMethod).to.deep.equal([issuer.id]);
    expect((await loader(issuer.id)).document).to.include({ id: issuer.id, type: 'Multikey', controller: issuer.controller, publicKeyMultibase: issuer.publicKeyMultibase });
    await expectRejection(loader('did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169'), 'UNKNOWN_DOCUMENT');
    await expectRejection(loader('did:key:not-a-key'), 'UNKNOWN_DOCUMENT');
  });

  it('serves the registry as a controller document and Multikey verification methods', async () => {
    const controller = (await loader(ISSUER)).document;
    expect(controller.assertionMethod).to.deep.equal([`${ISSUER}#key-1`]);
    expect((await loader(`${ISSUER}#key-1`)).document).to.deep.equal({
      '@context': 'https://w3id.org/security/multikey/v1',
      id: `${ISSUER}#key-1`,
      type: 'Multikey',
      controller: ISSUER,
      publicKeyMultibase: KEY,
    });
  });

  it('hands out copies: a caller changing a document does not change the next load', async () => {
    const first = await loader(IMPACT_LEDGER_CONTEXT_V1_URL);
    asObject(first.document['@context'], '@context').quantity = 'https://evil.example/q';
    const second = await loader(IMPACT_LEDGER_CONTEXT_V1_URL);
    expect(asObject(second.document['@context'], '@context').quantity).to.not.equal('https://evil.example/q');
  });

  it('refuses a malformed registry when it is created', () => {
    const entries: IssuerKeyRecord[][] = [
      [{ controller: ISSUER, keys: [{ id: 'https://elsewhere.example#key-1', publicKeyMultibase: KEY }] }],
      [{ controller: ISSUER, keys: [{ id: `${ISSUER}#key-1`, publicKeyMultibase: 'zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169' }] }],
      [{ controller: 'not a url', keys: [] }],
      [...registry, ...registry],
    ];
    for (const issuerKeys of entries) expectThrows(() => createStaticDocumentLoader({ issuerKeys }), 'INVALID_ISSUER_KEY');
  });
});

describe('credentials: subject schemas', () => {
  it('compiles a schema once, whatever the order of its keys', () => {
    const reordered = Object.fromEntries(Object.entries(COMMUTE_SUBJECT_SCHEMA).reverse());
    expect(compileSubjectSchema(reordered)).to.equal(compileSubjectSchema(COMMUTE_SUBJECT_SCHEMA));
  });

  it('reports violations with their path', () => {
    const validate = compileSubjectSchema(COMMUTE_SUBJECT_SCHEMA);
    expect(validate({ id: 'did:example:x', activityPeriodStart: '2025-01-01', activityPeriodEnd: '2025-01-31', quantity: 5, unit: 'gCO2e', mode: 'walk' })).to.equal(true);
    expect(validate({ id: 'did:example:x', activityPeriodStart: 'yesterday', quantity: 5, unit: 'gCO2e', mode: 'walk' })).to.deep.include.members([
      { path: '/activityPeriodStart', message: 'must match format "date"' },
    ]);
  });

  it('refuses schemas that reach outside themselves or break strict mode', () => {
    expectThrows(() => compileSubjectSchema({ $ref: 'https://schemas.example/subject.json' }), 'INVALID_PROTOCOL_SCHEMA');
    expectThrows(() => compileSubjectSchema({ type: 'object', properties: { mode: { type: 'string', enumm: ['walk'] } } }), 'INVALID_PROTOCOL_SCHEMA');
    expectThrows(() => compileSubjectSchema({ type: 'string', format: 'no-such-format' }), 'INVALID_PROTOCOL_SCHEMA');
  });

  it('two protocols may use the same $id for different schemas', () => {
    const id = 'https://impact-ledger.org/schemas/subject';
    const a = compileSubjectSchema({ $id: id, type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] });
    const b = compileSubjectSchema({ $id: id, type: 'object', properties: { b: { type: 'integer' } }, required: ['b'] });
    expect(a({ a: 1 })).to.equal(true);
    expect(b({ b: 1 })).to.equal(true);
    expect(b({ a: 1 })).to.not.equal(true);
  });

  it('checkCredential throws INVALID_PROTOCOL_SCHEMA for a protocol whose schema does not compile (a configuration error)', async () => {
    const issuer = await seededIssuer(1);
    const credential = await signedCommute(issuer);
    const policy = commutePolicy([issuer.controller], { subjectSchema: { type: 'object', minProperties: 'one' } });
    await expectRejection(checkCredential(credential, policy, checkOptions()), 'INVALID_PROTOCOL_SCHEMA');
  });
});
