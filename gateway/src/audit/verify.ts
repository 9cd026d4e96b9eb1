/**
 * Offline verification of an audit bundle: no network, no trust in the gateway that built it.
 * Pure apart from Node's crypto (X509Certificate, ECDSA/SHA-256 verify) and the protobuf decoders.
 *
 * Checks, in dependency order (every failure names its step):
 * 1. format: the JSON shape and strict base64.
 * 2. config-block: each configuration block decodes, its data hash holds, it configures the
 *    bundle's channel; it yields the application and orderer MSPs (root certificates, NodeOUs).
 * 3. block-data-hash: each block's header data hash is sha256 of its transactions.
 * 4. channel: every envelope is of the bundle's channel; every block names a configuration
 *    block in the bundle.
 * 5. orderer-signature: the block header and orderer metadata are signed by orderers of the
 *    orderer organisation (certificate chains to its root): one for Raft, a BFT quorum for BFT.
 * 6. transaction: each step's transaction is in its block; transaction-validity: marked VALID.
 * 7. creator-signature: the envelope is signed by its creator, a member of an application org.
 * 8. endorsement-signature: each endorsement is a valid signature by a peer (NodeOU peer) of an
 *    application org; endorsement-policy: the endorsing orgs are a majority of application orgs.
 * 9. write-set: the last write of each presented record's key equals the record byte for byte.
 * 10. chain-link: proof -> ancestors -> claim -> verifications -> protocol link up; ids derive
 *    from the credential hash; every transaction the records name is a step of the bundle.
 * 11. credential-hash: when the holder supplies the credential's hash, it is the claim's.
 */
import fabricProtos from '@hyperledger/fabric-protos';
import { Value } from '@sinclair/typebox/value';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { AuditBundleSchema, type AuditBundle, type VerifyFailure, type VerifyReport, type VerifyStep } from './bundle.js';

const { common, msp, orderer, peer, ledger } = fabricProtos;

type Json = Record<string, unknown>;

/** What the holder may add: the credential's hash (computed from the credential they hold). */
export interface VerifyOptions {
  readonly credentialHash?: string;
}

interface OrgMsp {
  readonly mspId: string;
  readonly roots: X509Certificate[];
  readonly peerOu?: string;
}

interface ChannelConfig {
  readonly channel: string;
  readonly applicationOrgs: Map<string, OrgMsp>;
  readonly ordererOrgs: Map<string, OrgMsp>;
  readonly consensus: string;
  readonly consenters: Map<number, { mspId: string; identity: Uint8Array }>;
}

interface Write { readonly key: string; readonly value: Uint8Array; readonly isDelete: boolean; readonly txId: string }

class Failed extends Error {
  constructor(readonly step: VerifyStep, message: string) {
    super(message);
  }
}

function fail(step: VerifyStep, message: string): never {
  throw new Failed(step, message);
}

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function strictBase64(text: string, what: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (text.length % 4 !== 0 || bytes.toString('base64') !== text) fail('format', `${what} is not canonical base64`);
  return bytes;
}

function decode<T>(step: VerifyStep, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Failed) throw error;
    return fail(step, `${what} does not decode: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** DER of a non-negative INTEGER. */
function derInteger(value: bigint): Buffer {
  let hexText = value.toString(16);
  if (hexText.length % 2 === 1) hexText = `0${hexText}`;
  let body = Buffer.from(hexText, 'hex');
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derTlv(tag: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/** Fabric's `BlockHeaderBytes`: ASN.1 DER SEQUENCE { number INTEGER, previousHash OCTET STRING, dataHash OCTET STRING }. */
export function blockHeaderBytes(header: InstanceType<typeof common.BlockHeader>): Buffer {
  const number = BigInt(header.getNumber());
  return derTlv(0x30, Buffer.concat([derInteger(number), derTlv(0x04, header.getPreviousHash_asU8()), derTlv(0x04, header.getDataHash_asU8())]));
}

function certificateOf(pemOrDer: Uint8Array, step: VerifyStep, what: string): X509Certificate {
  return decode(step, `the certificate of ${what}`, () => new X509Certificate(Buffer.from(pemOrDer)));
}

function ouOf(certificate: X509Certificate): string[] {
  return certificate.subject.split('\n').filter((line) => line.startsWith('OU=')).map((line) => line.slice(3));
}

/** True when `certificate` was issued and signed by one of `roots` (and is not itself a root). */
function chainsTo(certificate: X509Certificate, roots: readonly X509Certificate[]): boolean {
  return roots.some((root) => certificate.checkIssued(root) && certificate.verify(root.publicKey));
}

function verifySignature(certificate: X509Certificate, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sha256', data, certificate.publicKey, signature);
  } catch {
    return false; // a malformed signature is simply not valid
  }
}

function orgMspOf(group: InstanceType<typeof common.ConfigGroup>, name: string): OrgMsp {
  const value = group.getValuesMap().get('MSP');
  if (value === undefined) fail('config-block', `organisation ${name} has no MSP value`);
  const mspConfig = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
  const fabric = msp.FabricMSPConfig.deserializeBinary(mspConfig.getConfig_asU8());
  const roots = fabric.getRootCertsList_asU8().map((pem) => certificateOf(pem, 'config-block', `a root of ${fabric.getName()}`));
  const nodeOus = fabric.getFabricNodeOus();
  const peerOu = nodeOus?.getEnable() ? nodeOus.getPeerOuIdentifier()?.getOrganizationalUnitIdentifier() : undefined;
  return { mspId: fabric.getName(), roots, ...(peerOu ? { peerOu } : {}) };
}

function orgsOf(group: InstanceType<typeof common.ConfigGroup> | undefined): Map<string, OrgMsp> {
  const orgs = new Map<string, OrgMsp>();
  if (group === undefined) return orgs;
  for (const [name, org] of group.getGroupsMap().entries()) {
    const parsed = orgMspOf(org, name);
    orgs.set(parsed.mspId, parsed);
  }
  return orgs;
}

/** Decodes a configuration block and checks its data hash and channel. */
function parseConfigBlock(bytes: Uint8Array, number: string, channel: string): ChannelConfig {
  return decode('config-block', `configuration block ${number}`, () => {
    const block = common.Block.deserializeBinary(bytes);
    const header = block.getHeader();
    const data = block.getData()?.getDataList_asU8() ?? [];
    if (header === undefined || String(header.getNumber()) !== number) fail('config-block', `configuration block ${number} has another number`);
    if (!sha256(...data).equals(Buffer.from(header.getDataHash_asU8()))) fail('config-block', `configuration block ${number}: its data hash does not match its content`);
    const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
    if (metadata.length !== 5) fail('config-block', `configuration block ${number} has ${metadata.length} metadata entries, not Fabric's 5`);
    const signed = number === '0' ? -1 : common.BlockMetadataIndex.SIGNATURES;
    if (metadata.some((entry, index) => index !== signed && entry.length > 0)) fail('config-block', `configuration block ${number} carries unsigned metadata`);
    if (number === '0' && header.getPreviousHash_asU8().length > 0) fail('config-block', 'the genesis block names a previous block');
    const envelope = common.Envelope.deserializeBinary(data[0] ?? new Uint8Array());
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
    if (channelHeader.getType() !== common.HeaderType.CONFIG) fail('config-block', `block ${number} is not a configuration block`);
    if (channelHeader.getChannelId() !== channel) fail('channel', `configuration block ${number} is of channel '${channelHeader.getChannelId()}', the bundle claims '${channel}'`);
    const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig();
    const root = config?.getChannelGroup();
    if (root === undefined) fail('config-block', `configuration block ${number} has no channel group`);
    const ordererGroup = root.getGroupsMap().get('Orderer');
    const consensusValue = ordererGroup?.getValuesMap().get('ConsensusType');
    const consensus = consensusValue ? orderer.ConsensusType.deserializeBinary(consensusValue.getValue_asU8()).getType() : '';
    const consenters = new Map<number, { mspId: string; identity: Uint8Array }>();
    const orderersValue = ordererGroup?.getValuesMap().get('Orderers');
    if (orderersValue) {
      for (const c of common.Orderers.deserializeBinary(orderersValue.getValue_asU8()).getConsenterMappingList()) {
        consenters.set(c.getId(), { mspId: c.getMspId(), identity: c.getIdentity_asU8() });
      }
    }
    const parsed = { channel, applicationOrgs: orgsOf(root.getGroupsMap().get('Application')), ordererOrgs: orgsOf(ordererGroup), consensus, consenters };
    // a later configuration block is checked against the orderers it names itself (its predecessor is not in the bundle)
    if (number !== '0') checkOrdererSignatures(block, parsed, number);
    return parsed;
  });
}

/** The certificate inside a SerializedIdentity, or a PEM certificate as consenters carry it. */
function identityCertificate(bytes: Uint8Array, step: VerifyStep, what: string): { mspId?: string; certificate: X509Certificate } {
  const text = Buffer.from(bytes).toString('latin1');
  if (text.startsWith('-----BEGIN')) return { certificate: certificateOf(bytes, step, what) };
  const identity = decode(step, what, () => msp.SerializedIdentity.deserializeBinary(bytes));
  return { mspId: identity.getMspid(), certificate: certificateOf(identity.getIdBytes_asU8(), step, what) };
}

function bftQuorum(n: number): number {
  const f = Math.floor((n - 1) / 3);
  return Math.ceil((n + f + 1) / 2);
}

/** Checks the orderers' signatures on a block; returns how many were valid. */
function checkOrdererSignatures(block: InstanceType<typeof common.Block>, config: ChannelConfig, number: string): number {
  const header = block.getHeader();
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const sigBytes = metadata[common.BlockMetadataIndex.SIGNATURES];
  if (header === undefined || sigBytes === undefined || sigBytes.length === 0) fail('orderer-signature', `block ${number} carries no orderer signatures`);
  const md = decode('orderer-signature', `the signatures of block ${number}`, () => common.Metadata.deserializeBinary(sigBytes));
  const headerBytes = blockHeaderBytes(header);
  const bft = config.consensus.toUpperCase() === 'BFT';
  const signers = new Set<string>();
  for (const [i, signature] of md.getSignaturesList().entries()) {
    const sigHeader = signature.getSignatureHeader_asU8();
    const idHeader = signature.getIdentifierHeader_asU8();
    let identity: { mspId?: string; certificate: X509Certificate };
    let signed: Buffer;
    if (sigHeader.length === 0 && idHeader.length > 0) {
      const id = decode('orderer-signature', `identifier header ${i} of block ${number}`, () => common.IdentifierHeader.deserializeBinary(idHeader).getIdentifier());
      const consenter = config.consenters.get(id);
      if (consenter === undefined) fail('orderer-signature', `block ${number}: signature ${i} names consenter ${id}, not in the channel configuration`);
      identity = { mspId: consenter.mspId, certificate: identityCertificate(consenter.identity, 'orderer-signature', `consenter ${id}`).certificate };
      signed = Buffer.concat([md.getValue_asU8(), idHeader, headerBytes]);
    } else {
      const creator = decode('orderer-signature', `signature header ${i} of block ${number}`, () => common.SignatureHeader.deserializeBinary(sigHeader).getCreator_asU8());
      identity = identityCertificate(creator, 'orderer-signature', `orderer signer ${i} of block ${number}`);
      signed = Buffer.concat([md.getValue_asU8(), sigHeader, headerBytes]);
    }
    const org = identity.mspId === undefined ? undefined : config.ordererOrgs.get(identity.mspId);
    if (org === undefined) fail('orderer-signature', `block ${number}: signature ${i} is by ${identity.mspId ?? 'an unknown MSP'}, not an orderer organisation of the channel`);
    if (!chainsTo(identity.certificate, org.roots)) fail('orderer-signature', `block ${number}: signer ${i} is not certified by ${org.mspId}'s root`);
    if (!verifySignature(identity.certificate, signed, signature.getSignature_asU8())) fail('orderer-signature', `block ${number}: signature ${i} does not verify over the header and metadata`);
    signers.add(identity.certificate.fingerprint256);
  }
  const needed = bft ? bftQuorum(Math.max(config.consenters.size, 1)) : 1;
  if (signers.size < needed) fail('orderer-signature', `block ${number} has ${signers.size} valid orderer signature(s); ${needed} needed (${config.consensus})`);
  return signers.size;
}

function lastConfigIndex(block: InstanceType<typeof common.Block>, number: string): string {
  const sigBytes = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array();
  return decode('orderer-signature', `the orderer metadata of block ${number}`, () => {
    const md = common.Metadata.deserializeBinary(sigBytes);
    return String(common.OrdererBlockMetadata.deserializeBinary(md.getValue_asU8()).getLastConfig()?.getIndex() ?? 0);
  });
}

interface TxFacts { writes: Write[]; endorsements: number }

/** Checks one transaction of a verified block: validity, creator and endorsement signatures, policy. */
function checkTransaction(block: InstanceType<typeof common.Block>, txId: string, number: string, bundle: AuditBundle, config: ChannelConfig): TxFacts {
  const data = block.getData()?.getDataList_asU8() ?? [];
  let found: { index: number; envelope: InstanceType<typeof common.Envelope>; payload: InstanceType<typeof common.Payload> } | undefined;
  for (const [index, bytes] of data.entries()) {
    const envelope = decode('transaction', `transaction ${index} of block ${number}`, () => common.Envelope.deserializeBinary(bytes));
    const payload = decode('transaction', `transaction ${index} of block ${number}`, () => common.Payload.deserializeBinary(envelope.getPayload_asU8()));
    const channelHeader = decode('transaction', `the header of transaction ${index} of block ${number}`,
      () => common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()));
    if (channelHeader.getChannelId() !== bundle.channel) fail('channel', `block ${number} holds a transaction of channel '${channelHeader.getChannelId()}', the bundle claims '${bundle.channel}'`);
    if (channelHeader.getTxId() === txId) found = { index, envelope, payload };
  }
  if (found === undefined) fail('transaction', `transaction ${txId} is not in block ${number}`);
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  if (filter.length !== data.length) fail('transaction-validity', `block ${number} has ${data.length} transactions but ${filter.length} validation flags`);
  if (filter[found.index] !== peer.TxValidationCode.VALID) fail('transaction-validity', `transaction ${txId} is marked invalid (code ${filter[found.index]}) in block ${number}`);

  const signatureHeader = decode('creator-signature', `the signature header of ${txId}`, () => common.SignatureHeader.deserializeBinary(found.payload.getHeader()?.getSignatureHeader_asU8() ?? new Uint8Array()));
  const creator = identityCertificate(signatureHeader.getCreator_asU8(), 'creator-signature', `the creator of ${txId}`);
  const creatorOrg = creator.mspId === undefined ? undefined : config.applicationOrgs.get(creator.mspId);
  if (creatorOrg === undefined || !chainsTo(creator.certificate, creatorOrg.roots)) fail('creator-signature', `the creator of ${txId} (${creator.mspId}) is not a member of an application organisation`);
  if (!verifySignature(creator.certificate, found.envelope.getPayload_asU8(), found.envelope.getSignature_asU8())) fail('creator-signature', `the creator's signature of ${txId} does not verify`);

  const transaction = decode('transaction', `transaction ${txId}`, () => peer.Transaction.deserializeBinary(found.payload.getData_asU8()));
  const writes: Write[] = [];
  let endorsements = 0;
  for (const action of transaction.getActionsList()) {
    const actionPayload = decode('transaction', `an action of ${txId}`, () => peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()));
    const endorsed = actionPayload.getAction();
    if (endorsed === undefined) fail('transaction', `transaction ${txId} has no endorsed action`);
    const prp = endorsed.getProposalResponsePayload_asU8();
    const endorsingOrgs = new Set<string>();
    for (const [i, endorsement] of endorsed.getEndorsementsList().entries()) {
      const endorser = identityCertificate(endorsement.getEndorser_asU8(), 'endorsement-signature', `endorser ${i} of ${txId}`);
      const org = endorser.mspId === undefined ? undefined : config.applicationOrgs.get(endorser.mspId);
      if (org === undefined) fail('endorsement-signature', `endorser ${i} of ${txId} (${endorser.mspId}) is not an application organisation of the channel`);
      if (!chainsTo(endorser.certificate, org.roots)) fail('endorsement-signature', `endorser ${i} of ${txId} is not certified by ${org.mspId}'s root`);
      if (org.peerOu !== undefined && !ouOf(endorser.certificate).includes(org.peerOu)) fail('endorsement-signature', `endorser ${i} of ${txId} is not a peer (OU ${org.peerOu})`);
      if (!verifySignature(endorser.certificate, Buffer.concat([prp, endorsement.getEndorser_asU8()]), endorsement.getSignature_asU8())) {
        fail('endorsement-signature', `the endorsement ${i} of ${txId} by ${org.mspId} does not verify`);
      }
      endorsingOrgs.add(org.mspId);
      endorsements++;
    }
    const orgCount = config.applicationOrgs.size;
    if (endorsingOrgs.size * 2 <= orgCount) {
      fail('endorsement-policy', `${txId} is endorsed by ${[...endorsingOrgs].join(', ') || 'nobody'}: not a majority of the ${orgCount} application organisations`);
    }
    const response = decode('write-set', `the proposal response of ${txId}`, () => peer.ProposalResponsePayload.deserializeBinary(prp));
    const chaincodeAction = decode('write-set', `the chaincode action of ${txId}`, () => peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8()));
    if (chaincodeAction.getChaincodeId()?.getName() !== bundle.chaincode) fail('chain-link', `${txId} ran chaincode '${chaincodeAction.getChaincodeId()?.getName()}', not '${bundle.chaincode}'`);
    const rwset = decode('write-set', `the read-write set of ${txId}`, () => ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8()));
    for (const ns of rwset.getNsRwsetList()) {
      if (ns.getNamespace() !== bundle.chaincode) continue;
      const kv = decode('write-set', `the writes of ${txId}`, () => ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()));
      for (const write of kv.getWritesList()) writes.push({ key: write.getKey(), value: write.getValue_asU8(), isDelete: write.getIsDelete(), txId });
    }
  }
  return { writes, endorsements };
}

/** Fabric's composite key. */
function compositeKey(objectType: string, ...attributes: string[]): string {
  return `\u0000${objectType}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`;
}

/** Canonical JSON as the chaincode writes it (sorted keys, undefined dropped). */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== 'object' || v === null) return v;
    const out: Json = {};
    for (const key of Object.keys(v).sort()) if ((v as Json)[key] !== undefined) out[key] = sort((v as Json)[key]);
    return out;
  };
  return JSON.stringify(sort(value));
}

function str(record: Json, field: string): string {
  const value = record[field];
  return typeof value === 'string' ? value : '';
}

/** Every `…txId` string in a record, at any depth. */
export function txIdsOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) txIdsOf(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (/txId$/i.test(key) && typeof item === 'string' && item !== '') found.add(item);
      else txIdsOf(item, found);
    }
  }
  return found;
}

/** The world-state key of each record the bundle presents. */
function presentedRecords(bundle: AuditBundle): { key: string; record: Json; what: string }[] {
  const p = bundle.provenance as unknown as { proof: Json; ancestors: Json[]; verifications: Json[]; claim: Json; protocol: Json; flags?: Json[] };
  const records = [
    { key: compositeKey('il.proof', str(p.proof, 'id')), record: p.proof, what: `proof ${str(p.proof, 'id')}` },
    ...p.ancestors.map((a) => ({ key: compositeKey('il.proof', str(a, 'id')), record: a, what: `ancestor proof ${str(a, 'id')}` })),
    { key: compositeKey('il.claim', str(p.claim, 'id')), record: p.claim, what: `claim ${str(p.claim, 'id')}` },
    ...p.verifications.map((v) => ({ key: compositeKey('il.verification', str(v, 'claimId'), str(v, 'verifier')), record: v, what: `verification ${str(v, 'id')}` })),
    {
      key: compositeKey('il.protocol', str(p.protocol, 'id'), String(p.protocol.version ?? '').padStart(10, '0')),
      record: p.protocol, what: `protocol ${str(p.protocol, 'id')} v${String(p.protocol.version)}`,
    },
  ];
  for (const flag of p.flags ?? []) records.push({ key: compositeKey('il.flag', str(flag, 'id')), record: flag, what: `flag ${str(flag, 'id')}` });
  return records;
}

function checkWriteSets(bundle: AuditBundle, writes: readonly Write[]): void {
  for (const { key, record, what } of presentedRecords(bundle)) {
    let last: Write | undefined;
    for (const write of writes) if (write.key === key) last = write;
    if (last === undefined) fail('write-set', `no transaction of the bundle writes ${what}`);
    if (last.isDelete) fail('write-set', `${what} was deleted by ${last.txId}`);
    if (Buffer.from(last.value).toString('utf8') !== canonical(record)) {
      fail('write-set', `${what} differs from what its last transaction ${last.txId} wrote`);
    }
  }
}

function checkChain(bundle: AuditBundle): void {
  const p = bundle.provenance as unknown as { proof: Json; ancestors: Json[]; verifications: Json[]; claim: Json; protocol: Json; validation: Json };
  const link = (ok: boolean, message: string): void => {
    if (!ok) fail('chain-link', message);
  };
  link(str(p.proof, 'id') === bundle.proofId, `the bundle is for proof ${bundle.proofId}, its records for ${str(p.proof, 'id')}`);
  let child = p.proof;
  for (const ancestor of p.ancestors) {
    link(str(child, 'parentId') === str(ancestor, 'id'), `proof ${str(child, 'id')} does not descend from ${str(ancestor, 'id')}`);
    link(str(ancestor, 'originId') === str(p.proof, 'originId'), `ancestor ${str(ancestor, 'id')} is of another origin`);
    child = ancestor;
  }
  link(child.parentId === undefined, `the split ancestors stop at ${str(child, 'id')}, which has a parent`);
  const claimId = str(p.claim, 'id');
  const credentialHash = str(p.claim, 'credentialHash');
  link(str(p.proof, 'claimId') === claimId, `proof ${str(p.proof, 'id')} is of claim ${str(p.proof, 'claimId')}, the bundle's claim is ${claimId}`);
  link(sha256(Buffer.from(`claim:${credentialHash}`)).toString('hex') === claimId, `claim ${claimId} does not derive from credential hash ${credentialHash}`);
  link(sha256(Buffer.from(`proof:${claimId}`)).toString('hex') === str(child, 'id') && str(p.proof, 'originId') === str(child, 'id'),
    `the origin proof ${str(child, 'id')} is not the one issued for claim ${claimId}`);
  link(bundle.credentialHash === credentialHash, `the bundle names credential hash ${bundle.credentialHash}, the claim anchors ${credentialHash}`);
  link(str(p.claim, 'protocolId') === str(p.protocol, 'id') && p.claim.protocolVersion === p.protocol.version,
    `claim ${claimId} is of protocol ${str(p.claim, 'protocolId')} v${String(p.claim.protocolVersion)}, the bundle's protocol is ${str(p.protocol, 'id')} v${String(p.protocol.version)}`);
  link(str(p.proof, 'protocolId') === str(p.protocol, 'id') && p.proof.protocolVersion === p.protocol.version, `proof ${str(p.proof, 'id')} is of another protocol version`);
  const voteIds = new Set(p.verifications.map((v) => str(v, 'id')));
  for (const v of p.verifications) link(str(v, 'claimId') === claimId, `verification ${str(v, 'id')} is of another claim`);
  const issuedWith = Array.isArray(child.verificationIds) ? (child.verificationIds as unknown[]) : [];
  for (const id of issuedWith) link(typeof id === 'string' && voteIds.has(id), `the proof was issued on verification ${String(id)}, absent from the bundle`);
  const validation = { validator: child.issuer, quantity: child.quantity, txId: child.issuedTxId, timestamp: child.issuedAt };
  link(canonical(p.validation) === canonical(validation), 'the validation step is not the origin proof\'s issuance (validator, quantity, transaction, time)');
  const steps = new Set(bundle.steps.map((s) => s.txId));
  for (const txId of txIdsOf(bundle.provenance)) link(steps.has(txId), `transaction ${txId} named by the records is not a step of the bundle`);
}

/** Verifies an audit bundle (parsed JSON) offline. */
export function verifyAuditBundle(input: unknown, options: VerifyOptions = {}): VerifyReport {
  const failures: VerifyFailure[] = [];
  const summary: VerifyReport['summary'] = {
    channel: '', proofId: '', blocks: 0, transactions: 0, endorsements: 0, ordererSignatures: 0, configBlockHashes: {}, credentialChecked: false, flagged: false,
  };
  const attempt = (fn: () => void): boolean => {
    try {
      fn();
      return true;
    } catch (error) {
      if (!(error instanceof Failed)) throw error;
      failures.push({ step: error.step, message: error.message });
      return false;
    }
  };
  if (!Value.Check(AuditBundleSchema, input)) {
    const first = Value.Errors(AuditBundleSchema, input).First();
    failures.push({ step: 'format', message: `not an audit bundle: ${first ? `${first.path || '/'} ${first.message}` : 'wrong shape'}` });
    return { ok: false, failures, summary };
  }
  const bundle = input;
  summary.channel = bundle.channel;
  summary.proofId = bundle.proofId;
  const marks = (bundle.provenance.proof as { flags?: unknown }).flags;
  summary.flagged = Array.isArray(marks) && marks.length > 0;

  const configs = new Map<string, ChannelConfig>();
  for (const [number, text] of Object.entries(bundle.configBlocks)) {
    attempt(() => {
      const bytes = strictBase64(text, `configuration block ${number}`);
      configs.set(number, parseConfigBlock(bytes, number, bundle.channel));
      summary.configBlockHashes[number] = sha256(bytes).toString('hex');
    });
  }
  const writes: Write[] = [];
  const stepsByBlock = new Map<string, string[]>();
  for (const step of [...bundle.steps].sort((a, b) => a.blockNumber - b.blockNumber)) {
    const list = stepsByBlock.get(String(step.blockNumber)) ?? [];
    list.push(step.txId);
    stepsByBlock.set(String(step.blockNumber), list);
  }
  for (const number of Object.keys(bundle.blocks).sort((a, b) => Number(a) - Number(b))) {
    const text = bundle.blocks[number] ?? '';
    attempt(() => {
      const bytes = strictBase64(text, `block ${number}`);
      const block = decode('block-data-hash', `block ${number}`, () => common.Block.deserializeBinary(bytes));
      const header = block.getHeader();
      if (header === undefined || String(header.getNumber()) !== number) fail('orderer-signature', `block ${number}'s header names another number`);
      const data = block.getData()?.getDataList_asU8() ?? [];
      if (!sha256(...data).equals(Buffer.from(header.getDataHash_asU8()))) fail('block-data-hash', `block ${number}: sha256 of its transactions is not the data hash of its header`);
      const entries = block.getMetadata()?.getMetadataList_asU8() ?? [];
      if (entries.length !== 5) fail('format', `block ${number} has ${entries.length} metadata entries, not Fabric's 5`);
      const unsigned = entries.findIndex((entry, index) =>
        entry.length > 0 && index !== common.BlockMetadataIndex.SIGNATURES && index !== common.BlockMetadataIndex.TRANSACTIONS_FILTER);
      if (unsigned !== -1) fail('format', `block ${number} carries unsigned metadata (entry ${unsigned}) besides the validation flags`);
      const configNumber = lastConfigIndex(block, number);
      const config = configs.get(configNumber);
      if (config === undefined) fail('channel', `block ${number} was ordered under configuration block ${configNumber}, which the bundle does not hold (or which failed)`);
      summary.ordererSignatures += checkOrdererSignatures(block, config, number);
      summary.blocks++;
      // transactions in block order: writes are then in commit order
      const wanted = new Set(stepsByBlock.get(number) ?? []);
      const ordered = data.map((bytes) => {
        try {
          const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
          return common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getTxId();
        } catch {
          return '';
        }
      }).filter((txId) => wanted.has(txId));
      for (const txId of wanted) if (!ordered.includes(txId)) ordered.push(txId);
      for (const txId of ordered) {
        const facts = checkTransaction(block, txId, number, bundle, config);
        writes.push(...facts.writes);
        summary.transactions++;
        summary.endorsements += facts.endorsements;
      }
    });
  }
  for (const step of bundle.steps) {
    if (bundle.blocks[String(step.blockNumber)] === undefined) failures.push({ step: 'transaction', message: `the block ${step.blockNumber} of ${step.txId} is not in the bundle` });
  }
  attempt(() => checkWriteSets(bundle, writes));
  attempt(() => checkChain(bundle));
  if (options.credentialHash !== undefined) {
    summary.credentialChecked = true;
    attempt(() => {
      if (options.credentialHash !== str(bundle.provenance.claim as Json, 'credentialHash')) {
        fail('credential-hash', `the credential supplied hashes to ${options.credentialHash}; the claim anchors ${str(bundle.provenance.claim as Json, 'credentialHash')}`);
      }
    });
  }
  return { ok: failures.length === 0, failures, summary };
}

