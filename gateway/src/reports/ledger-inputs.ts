/**
 * The ledger adapter of the reports: reads what evidence.ts checks, as the caller. For each proof
 * named as an input, `proofs:Provenance` (the proof, its ancestors, validation, flags) and the
 * block of its issuance transaction; for each campaign named as a financing, `campaigns:Progress`.
 * A proof or campaign that does not exist is refused 422 REPORT_PROOF_NOT_FOUND /
 * REPORT_CAMPAIGN_NOT_FOUND naming it.
 */
import { validationStepOf, type ProofOfImpact } from '@impact-ledger/chaincode/facts';
import { ApiError } from '../problem.js';
import type { ImpactChaincode } from '../fabric/chaincode-client.js';
import type { Ledger } from '../fabric/ledger.js';
import type { ProofEvidence } from './evidence.js';
import type { CampaignFinancing } from './from-proofs.js';

function notFound(error: unknown, code: string, message: string, extensions: Record<string, unknown>): never {
  if (error instanceof ApiError && error.status === 404) throw new ApiError(422, code, message, extensions);
  throw error;
}

/** The evidence of each proof id, read from the ledger. */
export async function readProofEvidence(chaincode: ImpactChaincode, ledger: Pick<Ledger, 'blockOf'>, proofIds: readonly string[]): Promise<Map<string, ProofEvidence>> {
  const evidence = new Map<string, ProofEvidence>();
  for (const proofId of proofIds) {
    const provenance = await chaincode.proofs.provenance(proofId).catch((error: unknown) =>
      notFound(error, 'REPORT_PROOF_NOT_FOUND', `proof ${proofId} is not on the ledger`, { proofId }));
    const proof = provenance.proof;
    const origin: ProofOfImpact = [proof, ...provenance.ancestors].find((p) => p.depth === 0) ?? proof;
    const issuance = validationStepOf(origin);
    evidence.set(proofId, {
      proofId, serial: proof.serial, protocolId: proof.protocolId, protocolVersion: proof.protocolVersion, category: proof.category, unit: proof.unit,
      producerPseudonym: proof.producerPseudonym, vintage: proof.vintage, quantity: issuance.quantity, proofLevel: proof.proofLevel, status: proof.status,
      ...(proof.retirement ? { retiredFor: proof.retirement.beneficiary } : {}),
      flags: (proof.flags ?? []).map((f) => f.flagId),
      claimId: proof.claimId, verifiers: proof.verifiers, validator: issuance.validator,
      txId: issuance.txId, blockNumber: await ledger.blockOf(issuance.txId),
    });
  }
  return evidence;
}

function integerField(record: Record<string, unknown>, name: string): number {
  const value = record[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ApiError(502, 'FABRIC_ERROR', `campaigns:Progress returned no integer ${name}`);
  return value;
}

/** What each campaign settled (the financing it records), read from the ledger. */
export async function readCampaignFinancing(chaincode: ImpactChaincode, campaignIds: readonly string[]): Promise<Map<string, CampaignFinancing>> {
  const financing = new Map<string, CampaignFinancing>();
  for (const campaignId of [...new Set(campaignIds)]) {
    const { campaign, progress } = await chaincode.campaigns.progress(campaignId).catch((error: unknown) =>
      notFound(error, 'REPORT_CAMPAIGN_NOT_FOUND', `campaign ${campaignId} is not on the ledger`, { campaignId }));
    financing.set(campaignId, { campaignId, currency: campaign.currency, settled: integerField(progress, 'settled'), settlements: integerField(progress, 'settlements') });
  }
  return financing;
}
