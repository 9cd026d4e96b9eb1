/// <reference path="../../credentials/src/types/digitalbazaar.d.ts" />
/**
 * Retirement certificates on the real network: a proof partly retired by Org1's funder and partly
 * by Org2's; each certificate fetched from the retiring organisation's gateway as a credential and
 * as a PDF; verified offline by the CLI (JSON and PDF, pinned to the issuer the organisation
 * publishes) and by the plain @digitalbazaar/vc verifier with a document loader of the test's own;
 * one changed field fails both. Unknown proof, proof not retired and the other organisation's
 * retirement are clear problems and change nothing. Prints the latency of both renderings.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { verifyCredential } from '@digitalbazaar/vc';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { REPO_ROOT } from '../helpers/network';
import { pdfKeywords, pdfQrCodes, pdfText } from '../helpers/pdf';
import { issueCommuteProof } from './funding';
import { activeProtocol, newIssuer, settled, type Committed } from './scenario';

interface Retired { id: string; quantity: number; retirement: { txId: string; timestamp: string; beneficiary: string } }
interface Certificate {
  issuer: { id: string; name: string };
  credentialSubject: Record<string, unknown> & { proofId: string; auditBundle: string };
  proof: { verificationMethod: string };
}

const CLI = path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js');

/** A document loader of the test's own: the W3C contexts from their packages, the certificate context from its file, did:key resolved locally. */
function independentLoader(): (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: unknown }> {
  const documents = new Map<string, unknown>([...credentialsContexts, ...dataIntegrityContext.contexts]);
  documents.set('https://impact-ledger.org/contexts/retirement-certificate/v1',
    JSON.parse(readFileSync(path.join(REPO_ROOT, 'credentials', 'src', 'contexts', 'retirement-certificate-v1.json'), 'utf8')));
  const didKey = didKeyDriver();
  didKey.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });
  return async (url) => {
    const document = documents.get(url) ?? (url.startsWith('did:key:') ? await didKey.get({ url }) : undefined);
    if (document === undefined) throw new Error(`${url} is not known offline`);
    return { contextUrl: null, documentUrl: url, document };
  };
}

async function plainVerify(credential: object): Promise<boolean> {
  const result = await verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: independentLoader() });
  return result.verified;
}

function cli(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

/** GET as a user of org `org`, raw bytes (the PDF). */
async function fetchAs(world: GatewayWorld, org: number, user: string, route: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; bytes: Buffer; ms: number }> {
  const gateway = world.gateways[org - 1];
  const started = performance.now();
  const response = await fetch(`${gateway?.running.url ?? ''}${route}`, { headers: { authorization: `Bearer ${gateway?.tokens.get(user) ?? ''}`, ...headers } });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get('content-type') ?? '', bytes, ms: performance.now() - started };
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms (n=${sorted.length})`;
}

describe('e2e: retirement certificates', function () {
  this.timeout(300_000);
  let world: GatewayWorld;
  let retired: Committed<{ moved: Retired; remainder: { id: string } }>;
  let byOrg2: Committed<{ moved: Retired }>;
  let certificate: Certificate;
  let dir: string;

  before(async () => {
    world = await getGatewayWorld();
    dir = mkdtempSync(path.join(os.tmpdir(), 'il-cert-e2e-'));
    const issuer = await newIssuer();
    const protocol = await activeProtocol(world, [issuer.controller]);
    const proof = await issueCommuteProof(protocol, issuer, 9000);
    // Org1's submitter sells 6000 units to Org1's funder and 3000 to Org2's funder
    const toOrg1 = await settled(await world.client(1, 'User1').json<Committed<{ moved: { id: string }; remainder: { id: string } }>>(
      'POST', `/v1/proofs/${proof.id}/transfers`, { newOwner: world.identity(1, 'User5'), quantity: 6000 }, 201));
    const toOrg2 = await settled(await world.client(1, 'User1').json<Committed<{ moved: { id: string } }>>(
      'POST', `/v1/proofs/${toOrg1.result.remainder.id}/transfers`, { newOwner: world.identity(2, 'User5'), quantity: 3000 }, 201));
    retired = await settled(await world.client(1, 'User5').json<Committed<{ moved: Retired; remainder: { id: string } }>>(
      'POST', `/v1/proofs/${toOrg1.result.moved.id}/retirements`, { quantity: 4000, beneficiary: 'ACME SA (employee commute 2026)', purpose: 'Scope 3 category 7 reduction claim' }, 201));
    byOrg2 = await settled(await world.client(2, 'User5').json<Committed<{ moved: Retired }>>(
      'POST', `/v1/proofs/${toOrg2.result.moved.id}/retirements`, { quantity: 3000, beneficiary: 'Ville de Lyon', purpose: 'municipal programme' }, 201));
  });

  it('serves the retiring organisation\'s credential: the retirement as the ledger recorded it, signed by the published issuer key', async () => {
    const issuer = await world.client(1, 'User1').json<{ mspId: string; did: string }>('GET', '/v1/certificate-issuer', undefined, 200);
    expect(issuer.mspId).to.equal('Org1MSP');
    certificate = await world.client(1, 'User5').json<Certificate>('GET', `/v1/proofs/${retired.result.moved.id}/retirement-certificate`, undefined, 200);
    expect(certificate.issuer).to.deep.equal({ id: issuer.did, name: 'Org1MSP' });
    expect(certificate.proof.verificationMethod.startsWith(`${issuer.did}#`)).to.equal(true);
    expect(certificate.credentialSubject).to.deep.include({
      proofId: retired.result.moved.id, quantity: 4000, unit: 'gCO2e', beneficiary: 'ACME SA (employee commute 2026)', purpose: 'Scope 3 category 7 reduction claim',
      retiredBy: 'Org1MSP', retirementTxId: retired.txId, retirementBlock: retired.blockNumber, retirementDate: retired.result.moved.retirement.timestamp,
      auditBundle: `${world.gateways[0]?.running.url ?? ''}/v1/proofs/${retired.result.moved.id}/audit-bundle`,
    });
    // any user of the organisation gets the same certificate, byte for byte
    expect(await world.client(1, 'User2').json<Certificate>('GET', `/v1/proofs/${retired.result.moved.id}/retirement-certificate?format=json`, undefined, 200)).to.deep.equal(certificate);
    const bundle = await fetchAs(world, 1, 'User5', new URL(certificate.credentialSubject.auditBundle).pathname);
    expect(bundle.status).to.equal(200);
  });

  it('verifies offline with the CLI (JSON, pinned to the published issuer) and with the plain @digitalbazaar verifier', async () => {
    const file = path.join(dir, 'certificate.json');
    writeFileSync(file, JSON.stringify(certificate));
    const pinned = cli('verify-certificate', file, '--issuer', certificate.issuer.id);
    expect(pinned.status, pinned.out).to.equal(0);
    expect(pinned.out).to.include(`OK retirement of 4000 gCO2e of proof ${retired.result.moved.id}`).and.include('TRUSTED');
    const selfSigned = cli('verify-certificate', file);
    expect(selfSigned.status, selfSigned.out).to.equal(0);
    expect(selfSigned.out).to.include('SELF-SIGNED');
    expect(await plainVerify(certificate)).to.equal(true);
  });

  it('fails when one field is changed (CLI and plain verifier), or when pinned to another organisation\'s issuer', async () => {
    const tampered = structuredClone(certificate);
    tampered.credentialSubject.beneficiary = 'Someone Else SA';
    const file = path.join(dir, 'tampered.json');
    writeFileSync(file, JSON.stringify(tampered));
    const refused = cli('verify-certificate', file, '--issuer', certificate.issuer.id);
    expect(refused.status, refused.out).to.equal(1);
    expect(refused.out).to.include('FAIL [INVALID_SIGNATURE]');
    expect(await plainVerify(tampered)).to.equal(false);
    const org2 = await world.client(2, 'User1').json<{ did: string }>('GET', '/v1/certificate-issuer', undefined, 200);
    expect(org2.did).to.not.equal(certificate.issuer.id);
    const original = path.join(dir, 'certificate.json');
    const foreign = cli('verify-certificate', original, '--issuer', org2.did);
    expect(foreign.status, foreign.out).to.equal(1);
    expect(foreign.out).to.include('FAIL [issuer]');
  });

  it('serves the PDF (?format=pdf or Accept: application/pdf): proof id, quantity, QR codes and the attached credential, which the CLI verifies', async () => {
    const route = `/v1/proofs/${retired.result.moved.id}/retirement-certificate`;
    const pdf = await fetchAs(world, 1, 'User5', `${route}?format=pdf`);
    expect(pdf.status).to.equal(200);
    expect(pdf.type).to.equal('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    const accepted = await fetchAs(world, 1, 'User5', route, { accept: 'application/pdf' });
    expect(accepted.type).to.equal('application/pdf');
    expect(accepted.bytes.equals(pdf.bytes)).to.equal(true);
    const text = (await pdfText(pdf.bytes)).join('\n');
    expect(text).to.include(retired.result.moved.id).and.include('4000 gCO2e').and.include('ACME SA (employee commute 2026)').and.include(retired.txId);
    expect((await pdfQrCodes(pdf.bytes)).sort()).to.deep.equal([retired.result.moved.id, certificate.credentialSubject.auditBundle].sort());
    expect(await pdfKeywords(pdf.bytes)).to.include(retired.result.moved.id);
    const file = path.join(dir, 'certificate.pdf');
    writeFileSync(file, pdf.bytes);
    const verified = cli('verify-certificate', file, '--issuer', certificate.issuer.id);
    expect(verified.status, verified.out).to.equal(0);
    // the CLI renders the same PDF from the JSON (as the API serialised it: another key order), offline
    const rendered = path.join(dir, 'rendered.pdf');
    const made = cli('certificate-pdf', path.join(dir, 'certificate.json'), '-o', rendered);
    expect(made.status, made.out).to.equal(0);
    expect(readFileSync(rendered).equals(pdf.bytes)).to.equal(true);
  });

  it('each organisation certifies its own retirements only; unknown and unretired proofs are clear problems; nothing changes', async () => {
    const org2Proof = byOrg2.result.moved.id;
    const atOrg2 = await world.client(2, 'User5').json<Certificate>('GET', `/v1/proofs/${org2Proof}/retirement-certificate`, undefined, 200);
    expect(atOrg2.issuer.name).to.equal('Org2MSP');
    expect(await plainVerify(atOrg2)).to.equal(true);
    const before = await world.client(1, 'User5').json<unknown>('GET', `/v1/proofs/${org2Proof}`, undefined, 200);
    const elsewhere = await world.client(1, 'User5').json<{ code: string; retiredBy: string }>('GET', `/v1/proofs/${org2Proof}/retirement-certificate`, undefined, 409);
    expect(elsewhere).to.deep.include({ code: 'RETIRED_BY_OTHER_ORGANISATION', retiredBy: 'Org2MSP' });
    const active = retired.result.remainder.id;
    const notRetired = await world.client(1, 'User5').json<{ code: string; proofStatus: string }>('GET', `/v1/proofs/${active}/retirement-certificate?format=pdf`, undefined, 409);
    expect(notRetired).to.deep.include({ code: 'PROOF_NOT_RETIRED', proofStatus: 'active' });
    const unknown = await world.client(1, 'User5').json<{ code: string }>('GET', `/v1/proofs/${'0'.repeat(64)}/retirement-certificate`, undefined, 404);
    expect(unknown.code).to.equal('NOT_FOUND');
    const badFormat = await world.client(1, 'User5').json<{ code: string }>('GET', `/v1/proofs/${org2Proof}/retirement-certificate?format=docx`, undefined, 400);
    expect(badFormat.code).to.equal('VALIDATION_FAILED');
    expect(await world.client(1, 'User5').json<unknown>('GET', `/v1/proofs/${org2Proof}`, undefined, 200)).to.deep.equal(before);
    expect((await world.client(1, 'User5').json<{ status: string }>('GET', `/v1/proofs/${active}`, undefined, 200)).status).to.equal('active');
  });

  it('measures the latency of the certificate (credential and PDF)', async () => {
    const route = `/v1/proofs/${retired.result.moved.id}/retirement-certificate`;
    const json: number[] = [];
    const pdf: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const a = await fetchAs(world, 1, 'User5', route);
      expect(a.status).to.equal(200);
      json.push(a.ms);
      const b = await fetchAs(world, 1, 'User5', `${route}?format=pdf`);
      expect(b.status).to.equal(200);
      pdf.push(b.ms);
    }
    console.log(`      certificate latency, credential (JSON): ${summary(json)}; PDF: ${summary(pdf)}`);
  });
});
