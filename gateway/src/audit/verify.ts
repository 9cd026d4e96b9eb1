/**
 * Offline verification of an audit bundle: no network, no trust in the gateway that built it.
 * Pure apart from Node's crypto (X509Certificate, ECDSA/SHA-256 verify) and the protobuf decoders.
 *
 * Checks, in dependency order (every failure names its step):
 * 1. format: the JSON shape and strict base64.
 * 2. config-block: each configuration block decodes, its data hash holds, it configures the
 *    bundle's channel; it yields the application and orderer MSPs (root certificates, NodeOUs).
 *    trust-anchor: the bundle's genesis block (block 0) has the pinned block hash (when the
 *    caller pins one; without a pin the bundle is only self-consistent).
 *    config-chain: every later configuration block follows the one before it (sequence + 1) and
 *    is signed by the orderers of the configuration BEFORE it (Fabric's rule), so that new
 *    orderer keys or MSP roots can only enter the chain with the signatures of the old ones.
 * 3. block-data-hash: each block's header data hash is sha256 of its transactions.
 * 4. channel: every envelope is of the bundle's channel; every block names a configuration
 *    block of the verified chain, and no later one of the chain was in force for it.
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
import {
  additionalityHashOf, canonicalJson, claimIdOf, compositeKeyText, methodHashOf, Keys, parseClaim, parseFlagRecord, parseProof, parseProtocolRecord, parseVerification, proofIdOf,
  txIdsOf, validationStepOf, type Claim, type ProofOfImpact, type ProtocolRecord, type RecordParser, type Verification,
} from '@impact-ledger/chaincode/facts';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { AuditBundleSchema, type AuditBundle, type VerifyFailure, type VerifyReport, type VerifyStep } from './bundle.js';

const { common, msp, orderer, peer, ledger } = fabricProtos;

type Json = Record<string, unknown>;

/** What the holder may add: the credential's hash (computed from the credential they hold) and the channel's pinned genesis block hash. */
export interface VerifyOptions {
  readonly credentialHash?: string;
  /**
   * The trust anchor: the block hash of the channel's genesis block (see `blockHash`), 64 hex
   * characters, known to the auditor from outside the bundle. Without it the bundle is only
   * checked to be self-consistent.
   */
  readonly trustedGenesisHash?: string;
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
  /** The configuration's sequence: 0 in the genesis block, + 1 with each configuration update. */
  readonly sequence: number;
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
/** Runs `fn`; a failure it raises is reported at `step` instead. */
function asStep<T>(step: VerifyStep, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Failed) throw new Failed(step, error.message);
    throw error;
  }
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

/**
 * Fabric's block hash (`protoutil.BlockHeaderHash`): sha256 of `blockHeaderBytes(header)`, i.e.
 * of the DER SEQUENCE { number, previous_hash, data_hash }. It is what the next block's
 * previous_hash holds, and, through data_hash, it covers every byte of the block's data (for a
 * configuration block: the whole channel configuration). Lowercase hex.
 */
export function blockHash(header: InstanceType<typeof common.BlockHeader>): string {
  return sha256(blockHeaderBytes(header)).toString('hex');
}

/**
 * The block hash of a genesis block file (`configtxgen -outputBlock`, `peer channel fetch 0`):
 * a serialized common.Block numbered 0 whose data hash matches its data.
 */
export function genesisBlockHash(bytes: Uint8Array): string {
  const block = common.Block.deserializeBinary(bytes);
  const header = block.getHeader();
  if (header === undefined || Number(header.getNumber()) !== 0) throw new Error('not a genesis block (block number 0)');
  if (!sha256(...(block.getData()?.getDataList_asU8() ?? [])).equals(Buffer.from(header.getDataHash_asU8()))) throw new Error('its data hash does not match its data');
  return blockHash(header);
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

/** Decodes a configuration block and checks its data hash and channel (its signatures are checked by the chain). */
function parseConfigBlock(bytes: Uint8Array, number: string, channel: string): { block: InstanceType<typeof common.Block>; config: ChannelConfig } {
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
    const sequence = Number(config?.getSequence() ?? -1);
    return { block, config: { channel, applicationOrgs: orgsOf(root.getGroupsMap().get('Application')), ordererOrgs: orgsOf(ordererGroup), consensus, consenters, sequence } };
  });
}

/** The certificate inside a SerializedIdentity, or a PEM certificate as consenters carry it. */
function identityCertificate(bytes: Uint8Array, step: VerifyStep, what: string): { mspId?: string; certificate: X509Certificate } {
  const text = Buffer.from(bytes).toString('latin1');
  if (text.startsWith('-----BEGIN')) return { certificate: certificateOf(bytes, step, what) };
  const identity = decode(step, what, () => msp.SerializedIdentity.deserializeBinary(bytes));
  return { mspId: identity.getMspid(), certificate: certificateOf(identity.getIdBytes_asU8(), step, what) };
}

/** The BFT quorum of `n` consenters (Fabric's SmartBFT: ceil((n + f + 1) / 2), f = floor((n - 1) / 3)). */
export function bftQuorum(n: number): number {
  const f = Math.floor((n - 1) / 3);
  return Math.ceil((n + f + 1) / 2);
}

/** How many distinct orderers must sign a block ordered under a configuration: 1 for Raft, the quorum of its consenters for BFT. */
export function requiredOrdererSignatures(consensus: string, consenters: number): number {
  return consensus.toUpperCase() === 'BFT' ? bftQuorum(Math.max(consenters, 1)) : 1;
}

/**
 * Checks the orderers' signatures on a block against the configuration it was ordered under;
 * returns how many were valid.
 */
function checkOrdererSignatures(block: InstanceType<typeof common.Block>, config: ChannelConfig, number: string): number {
  const header = block.getHeader();
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const sigBytes = metadata[common.BlockMetadataIndex.SIGNATURES];
  if (header === undefined || sigBytes === undefined || sigBytes.length === 0) fail('orderer-signature', `block ${number} carries no orderer signatures`);
  const md = decode('orderer-signature', `the signatures of block ${number}`, () => common.Metadata.deserializeBinary(sigBytes));
  const headerBytes = blockHeaderBytes(header);
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
  const needed = requiredOrdererSignatures(config.consensus, config.consenters.size);
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

function str(record: Json, field: string): string {
  const value = record[field];
  return typeof value === 'string' ? value : '';
}

/** The provenance records, parsed with the chaincode's own record parsers. */
interface Provenance {
  proof: ProofOfImpact;
  ancestors: ProofOfImpact[];
  validation: Json;
  verifications: Verification[];
  claim: Claim;
  protocol: ProtocolRecord;
  flags: { id: string }[];
}

function parseRecord<T>(parser: RecordParser<T>, value: unknown, what: string): T {
  try {
    return parser(value);
  } catch (error) {
    return fail('format', `the ${what} of the provenance is not a record of the chaincode: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseProvenance(bundle: AuditBundle): Provenance {
  const p = bundle.provenance;
  return {
    proof: parseRecord(parseProof, p.proof, 'proof'),
    ancestors: p.ancestors.map((a, i) => parseRecord(parseProof, a, `ancestor ${i}`)),
    validation: p.validation as Json,
    verifications: p.verifications.map((v, i) => parseRecord(parseVerification, v, `verification ${i}`)),
    claim: parseRecord(parseClaim, p.claim, 'claim'),
    protocol: parseRecord(parseProtocolRecord, p.protocol, 'protocol'),
    flags: (p.flags ?? []).map((f, i) => parseRecord(parseFlagRecord, f, `flag ${i}`)),
  };
}

/** The world-state key of each record the bundle presents (the chaincode's key layout). */
function presentedRecords(p: Provenance): { key: string; record: unknown; what: string }[] {
  return [
    { key: compositeKeyText(Keys.proof(p.proof.id)), record: p.proof, what: `proof ${p.proof.id}` },
    ...p.ancestors.map((a) => ({ key: compositeKeyText(Keys.proof(a.id)), record: a, what: `ancestor proof ${a.id}` })),
    { key: compositeKeyText(Keys.claim(p.claim.id)), record: p.claim, what: `claim ${p.claim.id}` },
    ...p.verifications.map((v) => ({ key: compositeKeyText(Keys.verification(v.claimId, v.verifier)), record: v, what: `verification ${v.id}` })),
    { key: compositeKeyText(Keys.protocol(p.protocol.id, p.protocol.version)), record: p.protocol, what: `protocol ${p.protocol.id} v${p.protocol.version}` },
    ...p.flags.map((flag) => ({ key: compositeKeyText(Keys.flag(flag.id)), record: flag, what: `flag ${flag.id}` })),
  ];
}

function checkWriteSets(p: Provenance, writes: readonly Write[]): void {
  for (const { key, record, what } of presentedRecords(p)) {
    let last: Write | undefined;
    for (const write of writes) if (write.key === key) last = write;
    if (last === undefined) fail('write-set', `no transaction of the bundle writes ${what}`);
    if (last.isDelete) fail('write-set', `${what} was deleted by ${last.txId}`);
    if (Buffer.from(last.value).toString('utf8') !== canonicalJson(record)) {
      fail('write-set', `${what} differs from what its last transaction ${last.txId} wrote`);
    }
  }
}

/**
 * The claim's additionality record (baseline, counterfactual) is tied to the protocol version's
 * method: its method hash is the method's, its own hash is of its quantities and that method hash.
 * (The record's bytes are checked against the claim's write set like every other field.)
 */
function checkAdditionality(p: Provenance, link: (ok: boolean, message: string) => void): void {
  const record: unknown = p.claim.additionality;
  if (record === undefined) return;
  const method: unknown = p.protocol.additionality;
  const fields = typeof record === 'object' && record !== null ? record as Record<string, unknown> : {};
  const { baseline, counterfactual, methodHash, hash } = fields;
  const wellFormed = Number.isSafeInteger(baseline) && Number.isSafeInteger(counterfactual) && typeof methodHash === 'string' && typeof hash === 'string'
    && typeof method === 'object' && method !== null && ('hash' in method || 'method' in method);
  link(wellFormed, `claim ${p.claim.id} carries a malformed additionality record`);
  if (!wellFormed) return;
  const expected = methodHashOf(method as ProtocolRecord['additionality']);
  link(methodHash === expected, `claim ${p.claim.id}'s additionality names method ${String(methodHash)}, protocol ${p.protocol.id} v${p.protocol.version}'s method hashes to ${expected}`);
  link(hash === additionalityHashOf({ baseline: baseline as number, counterfactual: counterfactual as number, methodHash: methodHash as string }),
    `claim ${p.claim.id}'s additionality hash does not match its baseline, counterfactual and method hash`);
}

function checkChain(bundle: AuditBundle, p: Provenance): void {
  const link = (ok: boolean, message: string): void => {
    if (!ok) fail('chain-link', message);
  };
  link(p.proof.id === bundle.proofId, `the bundle is for proof ${bundle.proofId}, its records for ${p.proof.id}`);
  let child = p.proof;
  for (const ancestor of p.ancestors) {
    link(child.parentId === ancestor.id, `proof ${child.id} does not descend from ${ancestor.id}`);
    link(ancestor.originId === p.proof.originId, `ancestor ${ancestor.id} is of another origin`);
    child = ancestor;
  }
  link(child.parentId === undefined, `the split ancestors stop at ${child.id}, which has a parent`);
  const claimId = p.claim.id;
  const credentialHash = str(p.claim as unknown as Json, 'credentialHash');
  link(p.proof.claimId === claimId, `proof ${p.proof.id} is of claim ${p.proof.claimId}, the bundle's claim is ${claimId}`);
  link(claimIdOf(credentialHash) === claimId, `claim ${claimId} does not derive from credential hash ${credentialHash}`);
  link(proofIdOf(claimId) === child.id && p.proof.originId === child.id, `the origin proof ${child.id} is not the one issued for claim ${claimId}`);
  link(bundle.credentialHash === credentialHash, `the bundle names credential hash ${bundle.credentialHash}, the claim anchors ${credentialHash}`);
  link(p.claim.protocolId === p.protocol.id && p.claim.protocolVersion === p.protocol.version,
    `claim ${claimId} is of protocol ${p.claim.protocolId} v${p.claim.protocolVersion}, the bundle's protocol is ${p.protocol.id} v${p.protocol.version}`);
  link(p.proof.protocolId === p.protocol.id && p.proof.protocolVersion === p.protocol.version, `proof ${p.proof.id} is of another protocol version`);
  checkAdditionality(p, link);
  const voteIds = new Set(p.verifications.map((v) => v.id));
  for (const v of p.verifications) link(v.claimId === claimId, `verification ${v.id} is of another claim`);
  const issuedWith: unknown[] = Array.isArray(child.verificationIds) ? child.verificationIds : [];
  for (const id of issuedWith) link(typeof id === 'string' && voteIds.has(id), `the proof was issued on verification ${String(id)}, absent from the bundle`);
  link(canonicalJson(p.validation) === canonicalJson(validationStepOf(child)), 'the validation step is not the origin proof\'s issuance (validator, quantity, transaction, time)');
  const steps = new Set(bundle.steps.map((s) => s.txId));
  for (const txId of txIdsOf(bundle.provenance)) link(steps.has(txId), `transaction ${txId} named by the records is not a step of the bundle`);
}

/**
 * Verifies the chain of configuration blocks, oldest first, and fills `configs` with those that
 * hold: the genesis block against the pin (trust-anchor), every later one against the
 * configuration before it (config-chain). The chain stops at the first configuration block
 * that fails: the blocks ordered under it or after it then name a configuration the verifier
 * does not hold.
 */
function verifyConfigChain(bundle: AuditBundle, options: VerifyOptions, configs: Map<string, ChannelConfig>, summary: VerifyReport['summary']): void {
  const numbers = Object.keys(bundle.configBlocks).sort((a, b) => Number(a) - Number(b));
  let previous: { number: string; config: ChannelConfig } | undefined;
  const pin = options.trustedGenesisHash?.toLowerCase();
  if (pin !== undefined && numbers[0] !== '0') {
    fail('trust-anchor', `the bundle does not hold the channel's genesis block (block 0): it cannot be checked against the pinned hash ${pin}`);
  }
  for (const number of numbers) {
    const bytes = strictBase64(bundle.configBlocks[number] ?? '', `configuration block ${number}`);
    const { block, config } = parseConfigBlock(bytes, number, bundle.channel);
    const hash = blockHash(block.getHeader()!);
    if (previous === undefined) {
      if (number === '0') {
        if (config.sequence !== 0) fail('config-block', `the genesis block has configuration sequence ${config.sequence}, not 0`);
        summary.genesisHash = hash;
        if (pin !== undefined && hash !== pin) {
          fail('trust-anchor', `the bundle's genesis block has block hash ${hash}, not the pinned ${pin}: the bundle is of another channel or was re-made with other keys`);
        }
        summary.trusted = pin !== undefined;
      } else {
        // no genesis block (and no pin): the oldest configuration can only vouch for itself
        asStep('config-chain', () => checkOrdererSignatures(block, config, number));
      }
    } else {
      const before = previous;
      if (config.sequence !== before.config.sequence + 1) {
        fail('config-chain', `configuration block ${number} has sequence ${config.sequence}, the one before it (block ${before.number}) ${before.config.sequence}: ` +
          'a configuration block between them is missing');
      }
      asStep('config-chain', () => checkOrdererSignatures(block, before.config, number));
    }
    configs.set(number, config);
    summary.configBlockHashes[number] = hash;
    previous = { number, config };
  }
}

/** Verifies an audit bundle (parsed JSON) offline. */
export function verifyAuditBundle(input: unknown, options: VerifyOptions = {}): VerifyReport {
  const failures: VerifyFailure[] = [];
  const summary: VerifyReport['summary'] = {
    channel: '', proofId: '', blocks: 0, transactions: 0, endorsements: 0, ordererSignatures: 0, genesisHash: '', trusted: false, configBlockHashes: {},
    credentialChecked: false, flagged: false,
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
  attempt(() => verifyConfigChain(bundle, options, configs, summary));
  const configNumbers = [...configs.keys()].map(Number);
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
      const later = configNumbers.find((n) => n > Number(configNumber) && n <= Number(number));
      if (later !== undefined) fail('channel', `block ${number} names configuration block ${configNumber}, but configuration block ${later} was in force`);
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
  attempt(() => {
    const provenance = parseProvenance(bundle);
    attempt(() => checkWriteSets(provenance, writes));
    attempt(() => checkChain(bundle, provenance));
  });
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

