/**
 * Building blocks of the funders' data scenarios: the annual production data protocols
 * (gateway/src/demo/production-data.ts) registered and activated over HTTP with a fresh suffix,
 * and a measure of a producer taken through the quorum and validated into a proof.
 */
import { productionCredential, productionProtocol, type ProductionMeasure } from '@impact-ledger/gateway';
import { signCredential } from '@impact-ledger/credentials';
import { randomBytes } from 'node:crypto';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { reportHash, settled, type Committed, type IssuerKeyPair } from './scenario';

/** The registered protocol id of each measure. */
export type ProductionProtocols = Record<ProductionMeasure, string>;

/** Registers and activates the three measures' protocols (verifiers User2 of each org, quorum 2; validators User4 of orgs 2 and 3). */
export async function productionProtocols(world: GatewayWorld, auditor: IssuerKeyPair): Promise<ProductionProtocols> {
  const suffix = randomBytes(4).toString('hex');
  const designated = { verifiers: [1, 2, 3].map((org) => world.identity(org, 'User2')), validators: [2, 3].map((org) => world.identity(org, 'User4')) };
  const ids: Partial<ProductionProtocols> = {};
  for (const measure of ['quantity', 'factor', 'emissions'] as const) {
    const protocol = productionProtocol(measure, [auditor.controller], designated, { suffix });
    const admin = world.client(1, 'Admin');
    await admin.json('POST', '/v1/protocols', protocol, 201);
    await settled(await admin.json<Committed>('POST', `/v1/protocols/${String(protocol.id)}/versions/1/activate`, undefined, 200));
    ids[measure] = String(protocol.id);
  }
  return ids as ProductionProtocols;
}

/** One issued proof: its id, the claim's credential hash, the issuance transaction and block. */
export interface IssuedProof { id: string; claimId: string; credentialHash: string; txId: string; blockNumber: number }

/** A producer's measure of `year`, attested by `auditor`, submitted by org 1, approved by orgs 1 and 2, validated by org 2. */
export async function issueProductionProof(protocols: ProductionProtocols, auditor: IssuerKeyPair, measure: ProductionMeasure, producer: string, year: number, value: number): Promise<IssuedProof> {
  const world = await getGatewayWorld();
  const credential = await signCredential(productionCredential(auditor.controller, measure, producer, year, value), auditor, { date: new Date() });
  const claim = await settled(await world.client(1, 'User1').json<Committed<{ id: string; credentialHash: string }>>('POST', '/v1/claims',
    { protocolId: protocols[measure], protocolVersion: 1, credential, evidenceHashes: [reportHash()], proofLevel: 'verified' }, 201));
  for (const org of [1, 2]) {
    await settled(await world.client(org, 'User2').json<Committed>('POST', `/v1/claims/${claim.result.id}/verifications`, { decision: 'approve', assessedQuantity: value, reportHash: reportHash() }, 201));
  }
  const proof = await settled(await world.client(2, 'User4').json<Committed<{ id: string }>>('POST', `/v1/claims/${claim.result.id}/validation`, { quantity: value }, 201));
  return { id: proof.result.id, claimId: claim.result.id, credentialHash: claim.result.credentialHash, txId: proof.txId, blockNumber: proof.blockNumber };
}
