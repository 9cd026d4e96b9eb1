/**
 * Audit bundles on the real network: a proof with a split ancestor, its bundle over HTTP, verified
 * offline (also with the holder's credential); one-byte changes in each part of the bundle fail
 * at the step that guards that part; a bundle claiming another channel fails at 'channel'.
 * The trust anchor: pinned to the channel's genesis block (file or hash) the bundle verifies; a
 * bundle re-made consistently with other keys (a second cryptogen run) verifies as
 * self-consistent but fails at 'trust-anchor' once pinned; a configuration block signed by an
 * orderer key the configuration before it does not know fails at 'config-chain'.
 */
import type * as FabricProtos from '@hyperledger/fabric-protos';
import { blockHeaderBytes, genesisBlockHash, verifyAuditBundle, type AuditBundle, type VerifyStep } from '@impact-ledger/gateway';
import { createStaticDocumentLoader, credentialHash } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

type Keyed = { cert: X509Certificate; key: KeyObject };

/** Every file below `dir`, as paths relative to it. */
function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix)).flatMap((name) => {
    const rel = path.join(prefix, name);
    return statSync(path.join(dir, rel)).isDirectory() ? filesBelow(dir, rel) : [rel];
  });
}

/**
 * A second key set for the same network (cryptogen on the same crypto-config.yaml: the same
 * organisations, names and OUs, new CA roots and keys), matched to the first by path: old
 * certificate fingerprint -> new certificate (and its key, for signing certificates).
 */
function otherCrypto(): { roots: Map<string, Uint8Array>; signers: Map<string, { pem: Uint8Array; key: KeyObject }> } {
  const net = JSON.parse(readFileSync(process.env.IL_NETWORK_JSON ?? '', 'utf8')) as { home: string };
  const oldDir = path.join(net.home, 'crypto');
  const newDir = mkdtempSync(path.join(os.tmpdir(), 'il-forged-crypto-'));
  execFileSync(path.join(process.env.FABRIC_BIN ?? path.join(REPO_ROOT, '.fabric', 'bin'), 'cryptogen'),
    ['generate', `--config=${path.join(REPO_ROOT, 'test', 'fixtures', 'crypto-config.yaml')}`, `--output=${newDir}`]);
  const roots = new Map<string, Uint8Array>();
  const signers = new Map<string, { pem: Uint8Array; key: KeyObject }>();
  // The network's CAs lay out each identity as cryptogen does (msp/signcerts/<id>-cert.pem, the
  // organisation's root in ca/ca.<domain>-cert.pem), so certificates are matched by path; a root
  // found under several paths (one CA issues identities and TLS) keeps its first match, ca/
  // sorting before tlsca/. Files cryptogen has no counterpart for (the CAs' own) are not needed.
  for (const rel of filesBelow(oldDir).filter((f) => f.endsWith('.pem')).sort()) {
    if (!existsSync(path.join(newDir, rel))) continue;
    const oldPem = readFileSync(path.join(oldDir, rel));
    const newPem = readFileSync(path.join(newDir, rel));
    const fingerprint = new X509Certificate(oldPem).fingerprint256;
    if (/[\/]signcerts[\/]/.test(rel)) {
      signers.set(fingerprint, { pem: newPem, key: createPrivateKey(readFileSync(path.join(newDir, path.dirname(path.dirname(rel)), 'keystore', 'priv_sk'))) });
    } else if (!roots.has(fingerprint)) {
      roots.set(fingerprint, newPem);
    }
  }
  return { roots, signers };
}

type Forgery = ReturnType<typeof otherCrypto>;

function fingerprintOf(pem: Uint8Array): string {
  return new X509Certificate(Buffer.from(pem)).fingerprint256;
}

/** The same SerializedIdentity with the other key set's certificate. */
function forgedIdentity(bytes: Uint8Array, forgery: Forgery): { bytes: Uint8Array; key: KeyObject } {
  const identity = msp.SerializedIdentity.deserializeBinary(bytes);
  const signer = forgery.signers.get(fingerprintOf(identity.getIdBytes_asU8()));
  if (signer === undefined) throw new Error(`no forged certificate for ${identity.getMspid()}`);
  identity.setIdBytes(signer.pem);
  return { bytes: identity.serializeBinary(), key: signer.key };
}

/** A configuration block whose MSPs (roots, TLS roots, NodeOU certificates) and BFT consenters are the other key set's. */
function forgeConfig(block: Block, forgery: Forgery, sequence?: number): void {
  const data = block.getData()!;
  const envelope = common.Envelope.deserializeBinary(data.getDataList_asU8()[0]!);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const configEnvelope = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8());
  const config = configEnvelope.getConfig()!;
  if (sequence !== undefined) config.setSequence(sequence);
  const root = config.getChannelGroup()!;
  const swap = (pem: Uint8Array): Uint8Array => forgery.roots.get(fingerprintOf(pem)) ?? forgery.signers.get(fingerprintOf(pem))?.pem ?? pem;
  for (const section of ['Application', 'Orderer']) {
    const group = root.getGroupsMap().get(section);
    for (const [, org] of group?.getGroupsMap().entries() ?? []) {
      const value = org.getValuesMap().get('MSP')!;
      const mspConfig = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
      const fabric = msp.FabricMSPConfig.deserializeBinary(mspConfig.getConfig_asU8());
      fabric.setRootCertsList(fabric.getRootCertsList_asU8().map(swap));
      fabric.setTlsRootCertsList(fabric.getTlsRootCertsList_asU8().map(swap));
      fabric.setAdminsList(fabric.getAdminsList_asU8().map(swap));
      const ous = fabric.getFabricNodeOus();
      for (const ou of [ous?.getClientOuIdentifier(), ous?.getPeerOuIdentifier(), ous?.getAdminOuIdentifier(), ous?.getOrdererOuIdentifier()]) {
        if (ou !== undefined && ou.getCertificate_asU8().length > 0) ou.setCertificate(swap(ou.getCertificate_asU8()));
      }
      mspConfig.setConfig(fabric.serializeBinary());
      value.setValue(mspConfig.serializeBinary());
    }
    const orderers = section === 'Orderer' ? group?.getValuesMap().get('Orderers') : undefined;
    if (orderers !== undefined) {
      // common.Orderers (BFT consenters) is newer than the protobuf typings at the root
      const { Orderers } = common as unknown as { Orderers: { deserializeBinary(b: Uint8Array): { getConsenterMappingList(): { getIdentity_asU8(): Uint8Array; setIdentity(v: Uint8Array): void }[]; serializeBinary(): Uint8Array } } };
      const mapping = Orderers.deserializeBinary(orderers.getValue_asU8());
      for (const consenter of mapping.getConsenterMappingList()) consenter.setIdentity(swap(consenter.getIdentity_asU8()));
      orderers.setValue(mapping.serializeBinary());
    }
  }
  payload.setData(configEnvelope.serializeBinary());
  envelope.setPayload(payload.serializeBinary());
  data.setDataList([envelope.serializeBinary()]);
  block.getHeader()!.setDataHash(createHash('sha256').update(Buffer.concat(data.getDataList_asU8())).digest());
}

/** Every endorser transaction of a block re-made with the other key set: creators, endorsements, client signatures. */
function forgeTransactions(block: Block, forgery: Forgery): void {
  const data = block.getData()!;
  data.setDataList(data.getDataList_asU8().map((bytes) => {
    const envelope = common.Envelope.deserializeBinary(bytes);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const header = payload.getHeader()!;
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const creator = forgedIdentity(signatureHeader.getCreator_asU8(), forgery);
    signatureHeader.setCreator(creator.bytes);
    header.setSignatureHeader(signatureHeader.serializeBinary());
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    for (const action of transaction.getActionsList()) {
      action.setHeader(signatureHeader.serializeBinary());
      const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
      const endorsed = actionPayload.getAction()!;
      for (const endorsement of endorsed.getEndorsementsList()) {
        const endorser = forgedIdentity(endorsement.getEndorser_asU8(), forgery);
        endorsement.setEndorser(endorser.bytes);
        endorsement.setSignature(sign('sha256', Buffer.concat([endorsed.getProposalResponsePayload_asU8(), endorser.bytes]), endorser.key));
      }
      actionPayload.setAction(endorsed);
      action.setPayload(actionPayload.serializeBinary());
    }
    payload.setData(transaction.serializeBinary());
    envelope.setPayload(payload.serializeBinary());
    envelope.setSignature(sign('sha256', envelope.getPayload_asU8(), creator.key));
    return envelope.serializeBinary();
  }));
  block.getHeader()!.setDataHash(createHash('sha256').update(Buffer.concat(data.getDataList_asU8())).digest());
}

/**
 * Signs a block as the orderers whose certificates are `signers` (orderers of the test network or
 * of the other key set): one signature each over its header and orderer metadata naming `lastConfig`.
 */
function ordererSign(block: Block, signers: { pem: Uint8Array; key: KeyObject }[], lastConfig: number): void {
  const value = new common.OrdererBlockMetadata();
  const last = new common.LastConfig();
  last.setIndex(lastConfig);
  value.setLastConfig(last);
  const md = new common.Metadata();
  md.setValue(value.serializeBinary());
  md.setSignaturesList(signers.map((signer) => {
    const identity = new msp.SerializedIdentity();
    identity.setMspid('OrdererMSP');
    identity.setIdBytes(signer.pem);
    const signatureHeader = new common.SignatureHeader();
    signatureHeader.setCreator(identity.serializeBinary());
    signatureHeader.setNonce(Buffer.from('forged-nonce-0123456789'));
    const signature = new common.MetadataSignature();
    signature.setSignatureHeader(signatureHeader.serializeBinary());
    signature.setSignature(sign('sha256', Buffer.concat([md.getValue_asU8(), signatureHeader.serializeBinary(), blockHeaderBytes(block.getHeader()!)]), signer.key));
    return signature;
  }));
  block.getMetadata()!.setMetadataList(block.getMetadata()!.getMetadataList_asU8().map((m, i) => (i === 0 ? md.serializeBinary() : m)));
}

/** The block's orderer metadata re-signed by the other key set's orderers (the same orderers, other keys). */
function forgeOrdererSignatures(block: Block, forgery: Forgery, old: Keyed[], oldHeader: Buffer): void {
  const list = block.getMetadata()!.getMetadataList_asU8();
  const md = common.Metadata.deserializeBinary(list[0]!);
  const newHeader = blockHeaderBytes(block.getHeader()!);
  for (const signature of md.getSignaturesList()) {
    const identifierHeader = (signature as unknown as { getIdentifierHeader_asU8(): Uint8Array }).getIdentifierHeader_asU8();
    const prefix = signature.getSignatureHeader_asU8().length > 0 ? signature.getSignatureHeader_asU8() : identifierHeader;
    const was = old.find((k) => verify('sha256', Buffer.concat([md.getValue_asU8(), prefix, oldHeader]), k.cert.publicKey, signature.getSignature_asU8()));
    const signer = was === undefined ? undefined : forgery.signers.get(was.cert.fingerprint256);
    if (signer === undefined) throw new Error('no orderer key made this signature');
    let signedPrefix = prefix;
    if (signature.getSignatureHeader_asU8().length > 0) {
      const header = common.SignatureHeader.deserializeBinary(prefix);
      header.setCreator(forgedIdentity(header.getCreator_asU8(), forgery).bytes);
      signedPrefix = header.serializeBinary();
      signature.setSignatureHeader(signedPrefix);
    }
    signature.setSignature(sign('sha256', Buffer.concat([md.getValue_asU8(), signedPrefix, newHeader]), signer.key));
  }
  block.getMetadata()!.setMetadataList(list.map((m, i) => (i === 0 ? md.serializeBinary() : m)));
}

/**
 * The bundle re-made with the other key set, consistently: every configuration block's MSP
 * roots replaced, every transaction re-signed by its creator's and endorsers' counterparts,
 * every block re-signed by its orderers' counterparts. Only the genesis block hash tells.
 */
function forgeBundle(bundle: AuditBundle, forgery: Forgery): AuditBundle {
  const old = ordererKeys();
  let copy = clone(bundle);
  for (const number of Object.keys(copy.configBlocks)) {
    copy = editBlock(copy, number, (block) => {
      const oldHeader = blockHeaderBytes(block.getHeader()!);
      forgeConfig(block, forgery);
      if (number !== '0') forgeOrdererSignatures(block, forgery, old, oldHeader);
    }, 'configBlocks');
  }
  for (const number of Object.keys(copy.blocks)) {
    copy = editBlock(copy, number, (block) => {
      const oldHeader = blockHeaderBytes(block.getHeader()!);
      forgeTransactions(block, forgery);
      forgeOrdererSignatures(block, forgery, old, oldHeader);
    });
  }
  return copy;
}

/**
 * How many orderer signatures the test network's blocks need, worked out here rather than by the
 * verifier's function: Raft 1; BFT with n consenters (SmartBFT) ceil((n + f + 1) / 2), f = floor((n - 1) / 3).
 */
function signaturesNeeded(): number {
  const net = JSON.parse(readFileSync(process.env.IL_NETWORK_JSON ?? '', 'utf8')) as { consensus: string; orderers: unknown[] };
  const n = net.orderers.length;
  return net.consensus === 'bft' ? Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2) : 1;
}

/** The channel's genesis block file, as `network.sh up` made it with configtxgen. */
function genesisBlockFile(): string {
  const net = JSON.parse(readFileSync(process.env.IL_NETWORK_JSON ?? '', 'utf8')) as { home: string; channel: string };
  return path.join(net.home, 'channel', `${net.channel}.block`);
}

/** Runs the CLI; its exit status and output. */
function runCli(...args: string[]): { status: number; stdout: string } {
  try {
    return { status: 0, stdout: execFileSync('node', [path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js'), ...args], { encoding: 'utf8' }) };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string };
    return { status: failed.status ?? -1, stdout: failed.stdout ?? '' };
  }
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

  describe('the trust anchor: the channel genesis block, pinned', () => {
    let pin: string;
    let forgery: Forgery;
    let dir: string;

    before(() => {
      pin = genesisBlockHash(readFileSync(genesisBlockFile()));
      forgery = otherCrypto();
      dir = mkdtempSync(path.join(os.tmpdir(), 'il-trust-'));
      writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(bundle));
    });

    it('the bundle holds the configuration chain from the genesis block', () => {
      expect(Object.keys(bundle.configBlocks)).to.include('0');
    });

    it('verifies pinned by the genesis block hash, and the report says so', () => {
      const report = verifyAuditBundle(bundle, { trustedGenesisHash: pin });
      expect(report.failures).to.deep.equal([]);
      expect(report.summary.trusted).to.equal(true);
      expect(report.summary.genesisHash).to.equal(pin);
      expect(verifyAuditBundle(bundle).summary.trusted).to.equal(false);
    });

    it('CLI: --trust with the genesis block file and with its sha256 (exit 0, TRUSTED); without, exit 0 and NOT PINNED', () => {
      for (const trust of [genesisBlockFile(), pin, pin.toUpperCase()]) {
        const run = runCli('verify-bundle', path.join(dir, 'bundle.json'), '--trust', trust);
        expect(run.status, trust).to.equal(0);
        expect(run.stdout).to.include(`genesis block hash (sha256 of the DER block header, Fabric's block hash): ${pin}`);
        expect(run.stdout).to.include(`TRUSTED: the configuration chain starts at the pinned genesis block ${pin}`);
      }
      const unpinned = runCli('verify-bundle', path.join(dir, 'bundle.json'));
      expect(unpinned.status).to.equal(0);
      expect(unpinned.stdout).to.match(/NOT PINNED: the bundle is only SELF-CONSISTENT/);
      expect(runCli('verify-bundle', path.join(dir, 'bundle.json'), '--trust', 'not-a-file-nor-hash').status).to.equal(2);
    });

    it("a bundle re-made consistently with other keys verifies as self-consistent, fails at 'trust-anchor' once pinned (API and CLI)", () => {
      const forged = forgeBundle(bundle, forgery);
      const unpinned = verifyAuditBundle(forged);
      expect(unpinned.failures).to.deep.equal([]);
      expect(unpinned.summary.trusted).to.equal(false);
      expect(unpinned.summary.genesisHash).to.not.equal(pin);
      const pinned = verifyAuditBundle(forged, { trustedGenesisHash: pin });
      expect(pinned.ok).to.equal(false);
      expect(pinned.failures[0]?.step).to.equal('trust-anchor');
      writeFileSync(path.join(dir, 'forged.json'), JSON.stringify(forged));
      expect(runCli('verify-bundle', path.join(dir, 'forged.json')).status).to.equal(0);
      const run = runCli('verify-bundle', path.join(dir, 'forged.json'), '--trust', genesisBlockFile());
      expect(run.status).to.equal(1);
      expect(run.stdout).to.match(/^FAIL \[trust-anchor\]/);
    });

    it(`fails at 'orderer-signature' with one orderer signature fewer than the consensus needs (${process.env.CONSENSUS ?? 'raft'})`, () => {
      const needed = signaturesNeeded();
      for (const number of Object.keys(bundle.blocks)) {
        const tampered = editBlock(bundle, number, (b) => {
          const list = b.getMetadata()!.getMetadataList_asU8();
          const md = common.Metadata.deserializeBinary(list[0]!);
          expect(md.getSignaturesList().length, `block ${number}`).to.be.at.least(needed);
          md.setSignaturesList(md.getSignaturesList().slice(0, needed - 1));
          b.getMetadata()!.setMetadataList(list.map((m, i) => (i === 0 ? md.serializeBinary() : m)));
        });
        expect(firstFailure(tampered), `block ${number}`).to.equal('orderer-signature');
      }
    });

    it("a bundle without the genesis block fails at 'trust-anchor' when pinned", () => {
      const copy = clone(bundle);
      delete copy.configBlocks['0'];
      expect(firstFailure(copy, { trustedGenesisHash: pin })).to.equal('trust-anchor');
    });

    describe('a later configuration block', () => {
      // numbered after every block of the bundle, so that it is in force for none of them
      const next = (b: AuditBundle): number => Math.max(...Object.keys(b.blocks).map(Number)) + 1;
      /** `bundle` with a configuration block (genesis' configuration, sequence `sequence`, `forge`d or not) signed by `signer`. */
      const withConfig = (sequence: number, forged: boolean, signers: { pem: Uint8Array; key: KeyObject }[]): AuditBundle => {
        const copy = clone(bundle);
        const number = next(copy);
        const block = common.Block.deserializeBinary(Buffer.from(copy.configBlocks['0']!, 'base64'));
        block.getHeader()!.setNumber(number);
        block.getHeader()!.setPreviousHash(createHash('sha256').update('the block before').digest());
        if (forged) forgeConfig(block, forgery, sequence);
        else forgeConfig(block, { roots: new Map(), signers: new Map() }, sequence);
        ordererSign(block, signers, number);
        copy.configBlocks[String(number)] = Buffer.from(block.serializeBinary()).toString('base64');
        return copy;
      };
      // every orderer signs: one suffices for Raft, BFT needs its quorum
      const realOrderers = (): { pem: Uint8Array; key: KeyObject }[] => ordererKeys().map((k) => ({ pem: Buffer.from(k.cert.toString()), key: k.key }));
      const forgedOrderers = (): { pem: Uint8Array; key: KeyObject }[] => ordererKeys().map((k) => forgery.signers.get(k.cert.fingerprint256)!);

      it('verifies (pinned) when an orderer of the configuration before it signed it', () => {
        const report = verifyAuditBundle(withConfig(1, false, realOrderers()), { trustedGenesisHash: pin });
        expect(report.failures).to.deep.equal([]);
        expect(Object.keys(report.summary.configBlockHashes)).to.have.length(2);
      });

      it("fails at 'config-chain' when signed by an orderer key the configuration before it does not know (even if it names that key's root itself)", () => {
        expect(firstFailure(withConfig(1, true, forgedOrderers()), { trustedGenesisHash: pin })).to.equal('config-chain');
        expect(firstFailure(withConfig(1, true, forgedOrderers()))).to.equal('config-chain');
        expect(firstFailure(withConfig(1, false, forgedOrderers()))).to.equal('config-chain');
      });

      it(`fails at 'config-chain' when signed by one orderer fewer than the configuration before it needs (${process.env.CONSENSUS ?? 'raft'})`, () => {
        const needed = signaturesNeeded();
        expect(firstFailure(withConfig(1, false, realOrderers().slice(0, needed - 1)), { trustedGenesisHash: pin })).to.equal('config-chain');
        expect(verifyAuditBundle(withConfig(1, false, realOrderers().slice(0, needed)), { trustedGenesisHash: pin }).failures).to.deep.equal([]);
      });

      it("fails at 'config-chain' when a configuration block between is missing (sequence not + 1)", () => {
        expect(firstFailure(withConfig(2, false, realOrderers()), { trustedGenesisHash: pin })).to.equal('config-chain');
      });
    });
  });
});
