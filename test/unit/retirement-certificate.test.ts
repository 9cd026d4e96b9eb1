/// <reference path="../../credentials/src/types/digitalbazaar.d.ts" />
/**
 * Retirement certificates without a network: the credential built from a retired proof, the
 * refusals (not retired, retired by another organisation), signing and offline verification
 * (also by the plain @digitalbazaar/vc verifier), tampering, the issuer key file, and the PDF read
 * back independently (text, QR codes decoded from its images, the attached credential).
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { verifyCredential } from '@digitalbazaar/vc';
import { retireProof, type ProofOfImpact } from '@impact-ledger/chaincode/domain';
import { createStaticDocumentLoader, type JsonObject } from '@impact-ledger/credentials';
import {
  ApiError, CERTIFICATE_KEY_FILE, loadOrCreateCertificateKey, pdfAttachment, QR_KEYWORDS, renderCertificatePdf, retirementCertificate,
  signRetirementCertificate, verifyRetirementCertificate, type CertificateKey, type RetirementCertificate,
} from '@impact-ledger/gateway';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callerOf, identityOf, stamp } from '../helpers/domain-fixtures';
import { pdfKeywords, pdfQrCodes, pdfText } from '../helpers/pdf';

const funder = callerOf('Org1MSP', 'User5@org1');
const PROOF_ID = 'e'.repeat(64);
const TX = 'f'.repeat(64);

function activeProof(): ProofOfImpact {
  return {
    id: PROOF_ID, serial: 'IL-1', claimId: 'c'.repeat(64), protocolId: 'commute-modal-shift', protocolVersion: 1, category: 'commute-modal-shift',
    pillar: 'B', sdgTargets: ['11.2'], unit: 'gCO2e', quantity: 5000, unitRange: { first: 1, last: 5000 }, vintage: { start: '2026-03-01', end: '2026-03-31' },
    proofLevel: 'computed', producerPseudonym: 'p'.repeat(64), owner: funder.identity, issuer: identityOf('Org2MSP', 'User4@org2'),
    verificationIds: [], verifiers: [], originId: PROOF_ID, depth: 0, status: 'active', issuedTxId: 'a'.repeat(64), issuedAt: '2026-04-01T08:00:00.000Z',
    updatedTxId: 'a'.repeat(64), updatedAt: '2026-04-01T08:00:00.000Z',
  };
}

function retiredProof(beneficiary = 'ACME SA', purpose = '2026 commute programme'): ProofOfImpact {
  return retireProof(activeProof(), 5000, beneficiary, purpose, { ...stamp(funder, 2), txId: TX }).moved;
}

const FACTS = { blockNumber: 42, channel: 'impact', chaincode: 'impact-ledger', publicUrl: 'https://gw.org1.example' };

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return 'none';
}

describe('retirement certificates', function () {
  this.timeout(30_000);
  let key: CertificateKey;
  let dataDir: string;
  const loader = createStaticDocumentLoader();
  const sign = (proof: ProofOfImpact): Promise<RetirementCertificate> =>
    signRetirementCertificate(retirementCertificate(proof, FACTS, { mspId: 'Org1MSP', did: key.info.did }), key, loader);

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'il-cert-'));
    key = await loadOrCreateCertificateKey(path.join(dataDir, 'data'), 'Org1MSP');
  });

  it('keeps the issuer key in the data folder (0600), the same across restarts, refused for another organisation', async () => {
    const file = path.join(dataDir, 'data', CERTIFICATE_KEY_FILE);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const again = await loadOrCreateCertificateKey(path.join(dataDir, 'data'), 'Org1MSP');
    expect(again.info).to.deep.equal(key.info);
    expect(key.info.did).to.match(/^did:key:z6Mk/);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'data', 'certificate-issuer.json'), 'utf8'))).to.deep.equal(key.info);
    let refused = '';
    await loadOrCreateCertificateKey(path.join(dataDir, 'data'), 'Org2MSP').catch((error: unknown) => { refused = String(error); });
    expect(refused).to.include('not of Org2MSP');
  });

  it('certifies the retirement as the ledger recorded it', () => {
    const unsigned = retirementCertificate(retiredProof(), FACTS, { mspId: 'Org1MSP', did: key.info.did });
    expect(unsigned.validFrom).to.equal('2026-04-01T08:00:02.000Z');
    expect(unsigned.issuer).to.deep.equal({ id: key.info.did, name: 'Org1MSP' });
    expect(unsigned.credentialSubject).to.deep.include({
      proofId: PROOF_ID, quantity: 5000, unit: 'gCO2e', protocolId: 'commute-modal-shift', protocolVersion: 1, beneficiary: 'ACME SA',
      purpose: '2026 commute programme', retiredBy: 'Org1MSP', retirementDate: '2026-04-01T08:00:02.000Z', retirementTxId: TX, retirementBlock: 42,
      auditBundle: `https://gw.org1.example/v1/proofs/${PROOF_ID}/audit-bundle`,
    });
  });

  it('refuses a proof that is not retired, and one another organisation retired', () => {
    expect(codeOf(() => retirementCertificate(activeProof(), FACTS, { mspId: 'Org1MSP', did: key.info.did }))).to.equal('PROOF_NOT_RETIRED');
    expect(codeOf(() => retirementCertificate(retiredProof(), FACTS, { mspId: 'Org2MSP', did: key.info.did }))).to.equal('RETIRED_BY_OTHER_ORGANISATION');
  });

  it('signs deterministically; verifies offline, pinned or not; the plain @digitalbazaar verifier agrees', async () => {
    const certificate = await sign(retiredProof());
    expect(await sign(retiredProof())).to.deep.equal(certificate);
    const report = await verifyRetirementCertificate(certificate, { issuers: [key.info.did] });
    expect(report.failures).to.deep.equal([]);
    expect(report).to.deep.include({ ok: true, pinned: true, issuer: key.info.did });
    expect((await verifyRetirementCertificate(certificate)).ok).to.equal(true);
    const plain = await verifyCredential({ credential: certificate, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: loader });
    expect(plain.verified).to.equal(true);
  });

  it('fails when one field is changed, or when the issuer is not the pinned one', async () => {
    const certificate = await sign(retiredProof());
    const tampered = structuredClone(certificate) as unknown as { credentialSubject: { quantity: number } };
    tampered.credentialSubject.quantity = 50000;
    const report = await verifyRetirementCertificate(tampered);
    expect(report.ok).to.equal(false);
    expect(report.failures.map((f) => f.check)).to.deep.equal(['INVALID_SIGNATURE']);
    const plain = await verifyCredential({ credential: tampered, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: loader });
    expect(plain.verified).to.equal(false);
    const other = await loadOrCreateCertificateKey(mkdtempSync(path.join(os.tmpdir(), 'il-cert-')), 'Org1MSP');
    const foreign = await verifyRetirementCertificate(certificate, { issuers: [other.info.did] });
    expect(foreign.failures.map((f) => f.check)).to.deep.equal(['issuer']);
    const shapeless = await verifyRetirementCertificate({ ...certificate, credentialSubject: { id: 'urn:x' } } as unknown as JsonObject);
    expect(shapeless.failures.map((f) => f.check)).to.include('format');
  });

  it('renders a PDF whose text, QR codes and attached credential tell the same retirement', async () => {
    const certificate = await sign(retiredProof('Ville de Lyon ÉcoMobilité 北京', 'x'.repeat(700)));
    const pdf = await renderCertificatePdf(certificate);
    const text = (await pdfText(pdf)).join('\n');
    expect(text).to.include(PROOF_ID);
    expect(text).to.include('5000 gCO2e');
    expect(text).to.include('Ville de Lyon ÉcoMobilité ??');
    expect((await pdfQrCodes(pdf)).sort()).to.deep.equal([PROOF_ID, certificate.credentialSubject.auditBundle].sort());
    expect(await pdfKeywords(pdf)).to.include(`${QR_KEYWORDS.proof}${PROOF_ID}`);
    const attached = await pdfAttachment(pdf);
    const json: unknown = JSON.parse(Buffer.from(attached ?? new Uint8Array()).toString('utf8'));
    expect(json).to.deep.equal(certificate);
    expect((await verifyRetirementCertificate(json, { issuers: [key.info.did] })).ok).to.equal(true);
    expect(Buffer.from(await renderCertificatePdf(certificate)).equals(Buffer.from(pdf))).to.equal(true);
    // the same certificate in another key order (as an HTTP response serialises it) renders the same PDF
    const reordered = JSON.parse(JSON.stringify(certificate, Object.keys(certificate).reverse().concat(Object.keys(certificate.credentialSubject)))) as RetirementCertificate;
    expect(Object.keys(reordered)[0]).to.not.equal(Object.keys(certificate)[0]);
    expect(Buffer.from(await renderCertificatePdf({ ...reordered, proof: certificate.proof })).equals(Buffer.from(pdf))).to.equal(true);
  });
});
