/**
 * Assembles the audit bundle of a proof from the organisation's peer: the provenance records
 * (`proofs:Provenance`, read as the caller), then, for every transaction they name, the block
 * that holds it (qscc `GetBlockByTxID`), and every channel configuration block from the genesis
 * block up to the newest one those blocks were ordered under (qscc `GetBlockByNumber`): each
 * block's orderer metadata names the configuration it was ordered under (LastConfig); the one
 * before configuration block N is the one block N - 1 names.
 */
import { txIdsOf } from '@impact-ledger/chaincode/facts';
import fabricProtos from '@hyperledger/fabric-protos';
import type { Ledger } from '../fabric/ledger.js';
import { AUDIT_BUNDLE_FORMAT, type AuditBundle } from './bundle.js';

const { common } = fabricProtos;

/** Where the bundle's records and blocks come from. */
export interface BundleSource {
  readonly channel: string;
  readonly chaincode: string;
  readonly ledger: Pick<Ledger, 'rawBlock'>;
  /** `proofs:Provenance` of the proof, as the caller. */
  readonly provenance: () => Promise<unknown>;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function headerNumber(bytes: Uint8Array): number {
  return Number(common.Block.deserializeBinary(bytes).getHeader()?.getNumber() ?? -1);
}

function lastConfigOf(bytes: Uint8Array): number {
  const block = common.Block.deserializeBinary(bytes);
  const signatures = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array();
  const value = common.Metadata.deserializeBinary(signatures).getValue_asU8();
  return Number(common.OrdererBlockMetadata.deserializeBinary(value).getLastConfig()?.getIndex() ?? 0);
}

/**
 * The block with its unsigned, peer-local metadata blanked (LAST_CONFIG, COMMIT_HASH...), so that
 * every byte the bundle carries is covered by a check: the orderers' SIGNATURES entry is kept, the
 * TRANSACTIONS_FILTER too (the verifier reads the flag of each step). A configuration block keeps
 * only its signatures (none for the genesis block).
 */
export function withSignedMetadataOnly(bytes: Uint8Array, config = false): Uint8Array {
  const block = common.Block.deserializeBinary(bytes);
  const metadata = block.getMetadata();
  if (metadata === undefined) return bytes;
  const number = Number(block.getHeader()?.getNumber() ?? 0);
  const kept = new Set<number>(config ? (number === 0 ? [] : [common.BlockMetadataIndex.SIGNATURES])
    : [common.BlockMetadataIndex.SIGNATURES, common.BlockMetadataIndex.TRANSACTIONS_FILTER]);
  metadata.setMetadataList(metadata.getMetadataList_asU8().map((entry, index) => (kept.has(index) ? entry : new Uint8Array())));
  return block.serializeBinary();
}

/** The audit bundle of `proofId`. */
export async function assembleAuditBundle(proofId: string, source: BundleSource): Promise<AuditBundle> {
  const provenance = (await source.provenance()) as AuditBundle['provenance'];
  const blocks = new Map<number, Uint8Array>();
  const steps: AuditBundle['steps'] = [];
  for (const txId of [...txIdsOf(provenance)].sort()) {
    const bytes = await source.ledger.rawBlock({ txId });
    const blockNumber = headerNumber(bytes);
    blocks.set(blockNumber, withSignedMetadataOnly(bytes));
    steps.push({ txId, blockNumber });
  }
  const configBlocks = new Map<number, Uint8Array>();
  // the configuration chain: from the newest configuration in force back to the genesis block
  let index = Math.max(0, ...[...blocks.values()].map(lastConfigOf));
  for (;;) {
    configBlocks.set(index, withSignedMetadataOnly(await source.ledger.rawBlock({ number: index }), true));
    if (index === 0) break;
    index = lastConfigOf(await source.ledger.rawBlock({ number: index - 1 }));
  }
  const byNumber = (map: Map<number, Uint8Array>): Record<string, string> =>
    Object.fromEntries([...map.entries()].sort(([a], [b]) => a - b).map(([n, bytes]) => [String(n), base64(bytes)]));
  steps.sort((a, b) => a.blockNumber - b.blockNumber || (a.txId < b.txId ? -1 : 1));
  const claim = provenance.claim as { credentialHash?: unknown };
  return {
    format: AUDIT_BUNDLE_FORMAT,
    channel: source.channel,
    chaincode: source.chaincode,
    proofId,
    credentialHash: typeof claim.credentialHash === 'string' ? claim.credentialHash : '',
    provenance,
    steps,
    blocks: byNumber(blocks),
    configBlocks: byNumber(configBlocks),
  };
}
