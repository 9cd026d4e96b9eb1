/**
 * Audit bundles on the real network: a proof with a split ancestor, its bundle over HTTP, verified
 * offline (also with the holder's credential); one-byte changes in each part of the bundle fail
 * at the step that guards that part; a bundle claiming another channel fails at 'channel'.
 */
import type * as FabricProtos from '@hyperledger/fabric-protos';
import { blockHeaderBytes, verifyAuditBundle, type AuditBundle, type VerifyStep } from '@impact-ledger/gateway';
import { createStaticDocumentLoader, credentialHash } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { REPO_ROOT } from '../helpers/network';
import { activeProtocol, claimRequest, newIssuer, reportHash, settled, signedCredential, type Committed, type JsonObject } from './scenario';

// The gateway's copy of the protobuf classes: google-protobuf registers them globally, so a second
// version in the same process (fabric-shim's, hoisted to the root) would replace the gateway's.
const { common, msp, peer } = createRequire(path.join(REPO_ROOT, 'gateway', 'package.json'))('@hyperledger/fabric-protos') as typeof FabricProtos;
type Block = InstanceType<typeof common.Block>;

function clone(bundle: AuditBundle): AuditBundle {
  return JSON.parse(JSON.stringify(bundle)) as AuditBundle;
}

function flipHexChar(value: string, at = 5): string {
  const c = value[at] === '0' ? '1' : '0';
  return `${value.slice(0, at)}${c}${value.slice(at + 1)}`;
}

function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

/** Rewrites block `number` of `bundle` (decoded, changed by `edit`, re-encoded). */
function editBlock(bundle: AuditBundle, number: string, edit: (block: Block) => void, field: 'blocks' | 'configBlocks' = 'blocks'): AuditBundle {
  const copy = clone(bundle);
  const block = common.Block.deserializeBinary(Buffer.from(copy[field][number] ?? '', 'base64'));
  edit(block);
  copy[field][number] = Buffer.from(block.serializeBinary()).toString('base64');
  return copy;
}

/** The orderers' certificates and signing keys of the test network (to re-seal a changed block). */
function ordererKeys(): { cert: X509Certificate; key: KeyObject }[] {
  const net = JSON.parse(readFileSync(process.env.IL_NETWORK_JSON ?? '', 'utf8')) as { home: string };
  const root = path.join(net.home, 'crypto', 'ordererOrganizations');
  return readdirSync(root).flatMap((domain) => readdirSync(path.join(root, domain, 'orderers')).map((node) => {
    const msp = path.join(root, domain, 'orderers', node, 'msp');
    const certFile = readdirSync(path.join(msp, 'signcerts'))[0] ?? '';
    const keyFile = readdirSync(path.join(msp, 'keystore'))[0] ?? '';
    return { cert: new X509Certificate(readFileSync(path.join(msp, 'signcerts', certFile))), key: createPrivateKey(readFileSync(path.join(msp, 'keystore', keyFile))) };
  }));
}

/** The signing key of the network user whose certificate is `pem` (the test network's own users). */
function clientKey(pem: Uint8Array): KeyObject {
  const net = JSON.parse(readFileSync(process.env.IL_NETWORK_JSON ?? '', 'utf8')) as { orgs: { admin: { certPath: string; keyDir: string }; users: { certPath: string; keyDir: string }[] }[] };
  const wanted = new X509Certificate(Buffer.from(pem)).fingerprint256;
  for (const user of net.orgs.flatMap((o) => [o.admin, ...o.users])) {
    if (new X509Certificate(readFileSync(user.certPath)).fingerprint256 !== wanted) continue;
    return createPrivateKey(readFileSync(path.join(user.keyDir, readdirSync(user.keyDir).find((f) => f.endsWith('_sk')) ?? '')));
  }
  throw new Error('the creator is not a user of the test network');
}

/**
 * Re-seals a block whose transactions were changed, as a colluding ordering service could: new
 * data hash, and every orderer signature made again by the orderer that made it. What remains
 * to catch the change are the checks inside the transactions.
 */
function reseal(block: Block, keys: { cert: X509Certificate; key: KeyObject }[]): void {
  const header = block.getHeader()!;
  const oldHeader = blockHeaderBytes(header);
  header.setDataHash(createHash('sha256').update(Buffer.concat(block.getData()!.getDataList_asU8())).digest());
  const newHeader = blockHeaderBytes(header);
  const list = block.getMetadata()!.getMetadataList_asU8();
  const md = common.Metadata.deserializeBinary(list[0]!);
  for (const signature of md.getSignaturesList()) {
    const identifierHeader = (signature as unknown as { getIdentifierHeader_asU8(): Uint8Array }).getIdentifierHeader_asU8();
    const prefix = signature.getSignatureHeader_asU8().length > 0 ? signature.getSignatureHeader_asU8() : identifierHeader;
    const before = Buffer.concat([md.getValue_asU8(), prefix, oldHeader]);
    const signer = keys.find((k) => verify('sha256', before, k.cert.publicKey, signature.getSignature_asU8()));
    if (signer === undefined) throw new Error('no orderer key made this signature');
    signature.setSignature(sign('sha256', Buffer.concat([md.getValue_asU8(), prefix, newHeader]), signer.key));
  }
  block.getMetadata()!.setMetadataList(list.map((m, i) => (i === 0 ? md.serializeBinary() : m)));
}

/**
 * Changes the endorsed action of the step transaction `txId` in its block; the client signs the
 * changed transaction again (unless `edit` changed its signature) and the block is re-sealed.
 */
function editEndorsed(bundle: AuditBundle, txId: string, edit: (action: InstanceType<typeof peer.ChaincodeEndorsedAction>, envelope: InstanceType<typeof common.Envelope>) => void): AuditBundle {
  const number = String(bundle.steps.find((s) => s.txId === txId)?.blockNumber);
  const keys = ordererKeys();
  return editBlock(bundle, number, (block) => {
    const data = block.getData()!;
    data.setDataList(data.getDataList_asU8().map((bytes) => {
      const envelope = common.Envelope.deserializeBinary(bytes);
      const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
      if (common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8()).getTxId() !== txId) return bytes;
      const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
      const action = transaction.getActionsList()[0]!;
      const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
      const endorsed = actionPayload.getAction()!;
      const signatureBefore = Buffer.from(envelope.getSignature_asU8());
      edit(endorsed, envelope);
      actionPayload.setAction(endorsed);
      action.setPayload(actionPayload.serializeBinary());
      payload.setData(transaction.serializeBinary());
      if (signatureBefore.equals(Buffer.from(envelope.getSignature_asU8()))) {
        const creator = common.SignatureHeader.deserializeBinary(payload.getHeader()!.getSignatureHeader_asU8()).getCreator_asU8();
        const identity = msp.SerializedIdentity.deserializeBinary(creator);
        envelope.setPayload(payload.serializeBinary());
        envelope.setSignature(sign('sha256', payload.serializeBinary(), clientKey(identity.getIdBytes_asU8())));
      }
      return envelope.serializeBinary();
    }));
    reseal(block, keys);
  });
}

function firstStep(bundle: AuditBundle): string {
  return String(bundle.steps[0]?.blockNumber);
}

function firstFailure(bundle: unknown, options = {}): VerifyStep | undefined {
  const report = verifyAuditBundle(bundle, options);
  return report.failures[0]?.step;
}

describe('e2e: audit bundles', function () {
  this.timeout(240_000);
  let world: GatewayWorld;
  let credential: JsonObject;
  let bundle: AuditBundle;
  let childId: string;

  before(async () => {
    world = await getGatewayWorld();
    const issuer = await newIssuer();
    const protocol = await activeProtocol(world, [issuer.controller]);
    credential = await signedCredential(issuer);
    const submitted = await settled(await world.client(1, 'User1').json<Committed<{ id: string }>>('POST', '/v1/claims', claimRequest(protocol, credential), 201));
    const claimId = submitted.result.id;
    for (const org of [1, 2]) {
      await settled(await world.client(org, 'User2').json<Committed>('POST', `/v1/claims/${claimId}/verifications`,
        { decision: 'approve', assessedQuantity: 18000, reportHash: reportHash() }, 201));
    }
    const issued = await settled(await world.client(2, 'User4').json<Committed<{ id: string }>>('POST', `/v1/claims/${claimId}/validation`, { quantity: 18000 }, 201));
    const moved = await settled(await world.client(1, 'User1').json<Committed<{ moved: { id: string } }>>('POST', `/v1/proofs/${issued.result.id}/transfers`,
      { newOwner: world.identity(1, 'User5'), quantity: 4000 }, 201));
    childId = moved.result.moved.id;
    const started = Date.now();
    bundle = await world.client(3, 'User5').json<AuditBundle>('GET', `/v1/proofs/${childId}/audit-bundle`, undefined, 200);
    console.log(`      audit bundle over HTTP: ${Date.now() - started} ms, ${JSON.stringify(bundle).length} bytes, ${bundle.steps.length} steps`);
  });

  it('verifies offline: blocks, orderer signatures, endorsements, write sets, chain, credential hash', async () => {
    const started = Date.now();
    const report = verifyAuditBundle(bundle, { credentialHash: await credentialHash(credential, createStaticDocumentLoader()) });
    console.log(`      offline verification: ${Date.now() - started} ms; ${report.summary.ordererSignatures} orderer signatures on ${report.summary.blocks} blocks, ${report.summary.endorsements} endorsements`);
    expect(report.failures).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report.summary.transactions).to.equal(bundle.steps.length);
    expect(report.summary.endorsements).to.be.at.least(2 * bundle.steps.length);
    expect(report.summary.ordererSignatures).to.be.at.least(report.summary.blocks);
    expect(bundle.provenance.ancestors).to.have.length(1);
    expect(Object.keys(bundle.configBlocks)).to.have.length.at.least(1);
  });

  it('verifies with the CLI (exit 0), and refuses another credential (exit 1, step credential-hash)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'il-bundle-'));
    writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(bundle));
    writeFileSync(path.join(dir, 'credential.json'), JSON.stringify(credential));
    const cli = path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js');
    const out = execFileSync('node', [cli, 'verify-bundle', path.join(dir, 'bundle.json'), '--credential', path.join(dir, 'credential.json')], { encoding: 'utf8' });
    expect(out).to.match(/^OK proof [0-9a-f]{64} on channel /);
    const other = await signedCredential(await newIssuer());
    writeFileSync(path.join(dir, 'other.json'), JSON.stringify(other));
    let failed: { status?: number; stdout?: string } = {};
    try {
      execFileSync('node', [cli, 'verify-bundle', path.join(dir, 'bundle.json'), '--credential', path.join(dir, 'other.json')], { encoding: 'utf8' });
    } catch (error) {
      failed = error as { status?: number; stdout?: string };
    }
    expect(failed.status).to.equal(1);
    expect(failed.stdout).to.match(/FAIL \[credential-hash\]/);
  });

  it('re-encoding the blocks unchanged still verifies (the tamper cases below change one byte only)', () => {
    expect(verifyAuditBundle(editBlock(bundle, firstStep(bundle), () => undefined)).ok).to.equal(true);
  });

  const blockCases: [string, VerifyStep, (block: Block) => void][] = [
    ['a byte of a transaction envelope', 'block-data-hash', (b) => {
      const data = b.getData()!;
      const list = data.getDataList_asU8();
      data.setDataList(list.map((tx, i) => (i === 0 ? flipByte(tx, Math.floor(tx.length / 2)) : tx)));
    }],
    ['a byte of the header data hash', 'block-data-hash', (b) => b.getHeader()!.setDataHash(flipByte(b.getHeader()!.getDataHash_asU8(), 3))],
    ['a byte of the header previous hash', 'orderer-signature', (b) => b.getHeader()!.setPreviousHash(flipByte(b.getHeader()!.getPreviousHash_asU8(), 7))],
    ['a byte of the orderer signature', 'orderer-signature', (b) => {
      const list = b.getMetadata()!.getMetadataList_asU8();
      const md = common.Metadata.deserializeBinary(list[0]!);
      const sig = md.getSignaturesList()[0]!;
      sig.setSignature(flipByte(sig.getSignature_asU8(), 10));
      b.getMetadata()!.setMetadataList(list.map((m, i) => (i === 0 ? md.serializeBinary() : m)));
    }],
    ['a byte of the signed orderer metadata value', 'orderer-signature', (b) => {
      const list = b.getMetadata()!.getMetadataList_asU8();
      const md = common.Metadata.deserializeBinary(list[0]!);
      const value = md.getValue_asU8();
      md.setValue(flipByte(value, value.length - 1));
      b.getMetadata()!.setMetadataList(list.map((m, i) => (i === 0 ? md.serializeBinary() : m)));
    }],
    ['the validation flag of the transaction', 'transaction-validity', (b) => {
      const list = b.getMetadata()!.getMetadataList_asU8();
      b.getMetadata()!.setMetadataList(list.map((m, i) => (i === 2 ? Uint8Array.from(m, () => 11) : m)));
    }],
  ];
  for (const [what, step, edit] of blockCases) {
    it(`fails at '${step}' for ${what}`, () => {
      for (const number of Object.keys(bundle.blocks)) expect(firstFailure(editBlock(bundle, number, edit)), `block ${number}`).to.equal(step);
    });
  }

  describe('a block re-sealed by the orderers after a change inside a transaction', () => {
    const txOf = (b: AuditBundle) => b.steps[0]!.txId;

    it('still verifies when re-sealed unchanged (the re-sealing itself is sound)', () => {
      expect(verifyAuditBundle(editEndorsed(bundle, txOf(bundle), () => undefined)).failures).to.deep.equal([]);
    });

    it("fails at 'endorsement-signature' for a byte of an endorsement", () => {
      const tampered = editEndorsed(bundle, txOf(bundle), (action) => {
        const endorsement = action.getEndorsementsList()[0]!;
        endorsement.setSignature(flipByte(endorsement.getSignature_asU8(), 12));
      });
      expect(firstFailure(tampered)).to.equal('endorsement-signature');
    });

    it("fails at 'endorsement-policy' when only one organisation endorsed", () => {
      const tampered = editEndorsed(bundle, txOf(bundle), (action) => action.setEndorsementsList(action.getEndorsementsList().slice(0, 1)));
      expect(firstFailure(tampered)).to.equal('endorsement-policy');
    });

    it("fails at 'creator-signature' for a byte of the client's signature", () => {
      const tampered = editEndorsed(bundle, txOf(bundle), (_action, envelope) => envelope.setSignature(flipByte(envelope.getSignature_asU8(), 12)));
      expect(firstFailure(tampered)).to.equal('creator-signature');
    });
  });

  it("fails at 'config-block' for a byte of a channel configuration block (an MSP root)", () => {
    const number = Object.keys(bundle.configBlocks)[0]!;
    const tampered = editBlock(bundle, number, (b) => {
      const data = b.getData()!;
      data.setDataList(data.getDataList_asU8().map((tx) => flipByte(tx, Math.floor(tx.length / 3))));
    }, 'configBlocks');
    expect(firstFailure(tampered)).to.equal('config-block');
  });

  const recordCases: [string, VerifyStep, (b: AuditBundle) => void][] = [
    ['the proof quantity', 'write-set', (b) => { (b.provenance.proof as { quantity: number }).quantity += 1; }],
    ['the proof owner', 'write-set', (b) => { const p = b.provenance.proof as { owner: string }; p.owner = `${p.owner}x`; }],
    ['a split ancestor', 'write-set', (b) => { (b.provenance.ancestors[0] as { quantity: number }).quantity -= 1; }],
    ['the claim', 'write-set', (b) => { const c = b.provenance.claim as { subjectPseudonym: string }; c.subjectPseudonym = flipHexChar(c.subjectPseudonym); }],
    ['a verification', 'write-set', (b) => { const v = b.provenance.verifications[0] as { reportHash: string }; v.reportHash = flipHexChar(v.reportHash); }],
    ['the protocol version record', 'write-set', (b) => { const p = b.provenance.protocol as { title: string }; p.title = `${p.title}.`; }],
    ['the credential hash', 'chain-link', (b) => { b.credentialHash = flipHexChar(b.credentialHash); }],
    ['the proof id', 'chain-link', (b) => { b.proofId = flipHexChar(b.proofId); }],
    ['the validation step', 'chain-link', (b) => { const v = b.provenance.validation as { txId: string }; v.txId = flipHexChar(v.txId); }],
    ['a step block number', 'transaction', (b) => { b.steps[0]!.blockNumber += 1000; }],
    ['the channel (a bundle claiming another channel)', 'channel', (b) => { b.channel = 'other-channel'; }],
    ['the chaincode name', 'chain-link', (b) => { b.chaincode = 'other'; }],
    ['the format', 'format', (b) => { (b as { format: string }).format = 'impact-ledger.audit-bundle/2'; }],
    ['a base64 character of a block', 'format', (b) => { const n = firstStep(b); b.blocks[n] = `${b.blocks[n]!.slice(0, 10)}*${b.blocks[n]!.slice(11)}`; }],
  ];
  for (const [what, step, edit] of recordCases) {
    it(`fails at '${step}' for a change of ${what}`, () => {
      const copy = clone(bundle);
      edit(copy);
      expect(firstFailure(copy)).to.equal(step);
    });
  }

  it('fails for any one-byte change at 120 seeded positions of the file', () => {
    const text = JSON.stringify(bundle);
    let seed = 20251123;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const steps = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const at = next() % text.length;
      const code = text.charCodeAt(at);
      const swapped = String.fromCharCode(code === 0x41 ? 0x42 : 0x41); // 'A' <-> 'B'
      let parsed: unknown;
      try {
        parsed = JSON.parse(`${text.slice(0, at)}${swapped}${text.slice(at + 1)}`);
      } catch {
        continue; // no longer JSON: the CLI refuses it before any step
      }
      const report = verifyAuditBundle(parsed);
      expect(report.ok, `position ${at} ('${text[at]}' -> '${swapped}')`).to.equal(false);
      steps.add(report.failures[0]!.step);
    }
    console.log(`      steps that caught the seeded changes: ${[...steps].sort().join(', ')}`);
  });
});
