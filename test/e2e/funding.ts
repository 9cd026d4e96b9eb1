/** Building blocks of the funder scenarios: a proof issued end to end over HTTP. */
import { getGatewayWorld } from '../helpers/gateway-world';
import { claimRequest, reportHash, settled, signedCredential, type Committed, type IssuerKeyPair, type TestProtocol } from './scenario';

/**
 * Submits (org 1), verifies (orgs 1 and 2) and validates (org 2) a commute claim of `quantity`; the
 * proof's id and issuance. `request` replaces fields of the claim request (proof level, evidence...).
 */
export async function issueCommuteProof(protocol: TestProtocol, issuer: IssuerKeyPair, quantity: number, request: Record<string, unknown> = {}): Promise<{ id: string; txId: string; blockNumber: number }> {
  const world = await getGatewayWorld();
  const credential = await signedCredential(issuer, { subject: { quantity } });
  const claim = await settled(await world.client(1, 'User1').json<Committed<{ id: string }>>('POST', '/v1/claims', { ...claimRequest(protocol, credential), ...request }, 201));
  for (const org of [1, 2]) {
    await settled(await world.client(org, 'User2').json<Committed>('POST', `/v1/claims/${claim.result.id}/verifications`, { decision: 'approve', assessedQuantity: quantity, reportHash: reportHash() }, 201));
  }
  const proof = await settled(await world.client(2, 'User4').json<Committed<{ id: string }>>('POST', `/v1/claims/${claim.result.id}/validation`, { quantity }, 201));
  return { id: proof.result.id, txId: proof.txId, blockNumber: proof.blockNumber };
}
