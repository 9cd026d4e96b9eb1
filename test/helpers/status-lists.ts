/**
 * W3C Bitstring Status List fixtures: a signed status list credential of an issuer with some bits
 * set, and the `credentialStatus` entry pointing into it.
 */
import { CREDENTIALS_V2_URL, signCredential, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from './network';

interface BitstringLibrary {
  createList(options: { length: number }): Promise<{ setStatus(index: number, status: boolean): void }>;
  createCredential(options: { id: string; list: unknown; statusPurpose: string; context?: string[] }): Promise<JsonObject>;
}

// The library is ESM only and a dependency of the gateway workspace.
function library(): Promise<BitstringLibrary> {
  const resolved = createRequire(path.join(REPO_ROOT, 'gateway', 'package.json')).resolve('@digitalbazaar/vc-bitstring-status-list');
  return import(resolved) as Promise<BitstringLibrary>;
}

/** A status list credential `id` of `issuer` (131072 entries, the spec's minimum), with `revoked` bits set, signed now. */
export async function signedStatusList(issuer: IssuerKeyPair, id: string, revoked: number[], validFrom = new Date()): Promise<JsonObject> {
  const bsl = await library();
  const list = await bsl.createList({ length: 131072 });
  for (const index of revoked) list.setStatus(index, true);
  const unsigned = await bsl.createCredential({ id, list, statusPurpose: 'revocation', context: [CREDENTIALS_V2_URL] });
  return signCredential({ ...unsigned, issuer: issuer.controller, validFrom: validFrom.toISOString().replace(/\.\d{3}Z$/, 'Z') }, issuer, { date: validFrom });
}

/** The `credentialStatus` of entry `index` of list `listId`. */
export function statusEntry(listId: string, index: number): JsonObject {
  return { id: `${listId}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: listId };
}
