/**
 * Who signs whose transactions (docs/trust-model.md, "Custody"): from the API keys, the users a
 * gateway signs for itself (declared `"custody": "gateway"`: service accounts of its own
 * organisation, never a verifier or validator) and the users that sign themselves (the default),
 * of whom the gateway knows only the certificate: from network.json, or from the API key entry
 * (`certificate` / `certificatePath`, with `mspId` for a user of another organisation).
 */
import { formatIdentity, isOperatorSubject } from '@impact-ledger/chaincode/domain';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type ApiKey } from '../config.js';
import type { OrgNetwork } from '../fabric/network-info.js';

/** Roles whose holders always sign themselves. */
const NEVER_CUSTODIAL_ROLES: ReadonlySet<string> = new Set(['verifier', 'validator']);

/** A user who signs its own transactions: what the gateway knows of it. */
export interface ClientSigner {
  /** The network.json / API key user name. */
  readonly user: string;
  readonly mspId: string;
  /** The enrolment certificate (PEM): the creator of its proposals and what its signatures are checked against. */
  readonly certificatePem: string;
  readonly publicKey: KeyObject;
  /** The ledger identity string (`${mspId}::x509::<subject>::<issuer>`), as roles:WhoAmI would answer it. */
  readonly identity: string;
  /** An operator (NodeOU admin) certificate. */
  readonly operator: boolean;
}

/** Custody of every user the API keys name. */
export interface Custody {
  /** The user `user` signs itself: its signer; undefined for a custodial user. */
  clientSigner(user: string): ClientSigner | undefined;
  /**
   * Users whose private keys the gateway may read: the declared custodial ones, and the
   * organisation's Admin (the gateway's own identity for system reads: blocks, events, readiness).
   */
  mayReadKey(user: string): boolean;
}

/**
 * The Fabric client id of a certificate, as the chaincode's `clientIdentity.getID()` writes it
 * (fabric-shim: `x509::/<SN>=<value>.../::/<SN>=<value>...`, the subject's and issuer's attributes
 * in certificate order, the first '/' of a value escaped).
 */
export function fabricClientId(certificate: X509Certificate): string {
  const dn = (name: string): string => name.split('\n')
    .flatMap((rdn) => rdn.split(/ \+ |\+/))
    .filter((attribute) => attribute.includes('='))
    .map((attribute) => {
      const at = attribute.indexOf('=');
      return `/${attribute.slice(0, at)}=${attribute.slice(at + 1).replace('/', '\\/')}`;
    })
    .join('');
  return `x509::${dn(certificate.subject)}::${dn(certificate.issuer)}`;
}

/** A client signer from a certificate. */
export function clientSignerOf(user: string, mspId: string, certificatePem: string): ClientSigner {
  const certificate = new X509Certificate(certificatePem);
  return {
    user, mspId, certificatePem, publicKey: certificate.publicKey,
    identity: formatIdentity(mspId, fabricClientId(certificate)),
    operator: isOperatorSubject(certificate.subject),
  };
}

interface Declaration {
  custody?: 'gateway' | 'client';
  certificatePem?: string;
  mspId?: string;
}

function certificateOf(key: ApiKey, problems: string[]): string | undefined {
  if (key.certificate !== undefined && key.certificatePath !== undefined) problems.push(`API key of ${key.user}: give "certificate" or "certificatePath", not both`);
  if (key.certificate !== undefined) return key.certificate;
  if (key.certificatePath === undefined) return undefined;
  try {
    return readFileSync(key.certificatePath, 'utf8');
  } catch (error) {
    problems.push(`API key of ${key.user}: certificatePath ${key.certificatePath} cannot be read (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

/** Merges the API key entries of each user; conflicting declarations are problems. */
function declarations(keys: readonly ApiKey[], problems: string[]): Map<string, Declaration> {
  const byUser = new Map<string, Declaration>();
  for (const key of keys) {
    const known = byUser.get(key.user) ?? {};
    const certificatePem = certificateOf(key, problems);
    const merged: Declaration = {
      ...known,
      ...(key.custody !== undefined ? { custody: key.custody } : {}),
      ...(certificatePem !== undefined ? { certificatePem } : {}),
      ...(key.mspId !== undefined ? { mspId: key.mspId } : {}),
    };
    for (const field of ['custody', 'mspId', 'certificatePem'] as const) {
      if (known[field] !== undefined && merged[field] !== known[field]) problems.push(`API keys of ${key.user} disagree on ${field === 'certificatePem' ? 'the certificate' : field}`);
    }
    byUser.set(key.user, merged);
  }
  return byUser;
}

/**
 * The custody of the API keys' users on `org`'s gateway. Throws a ConfigError listing every
 * problem: a custodial user that is not of this organisation or holds a verifier/validator role in
 * network.json, a client user whose certificate is nowhere, an unreadable certificate.
 */
export function loadCustody(keys: readonly ApiKey[], org: OrgNetwork, serviceAccounts: readonly string[] = []): Custody {
  const problems: string[] = [];
  const custodial = new Set<string>([org.admin.name]);
  // accounts the gateway's own workers sign as (the settlement worker's funder account): declared
  // by the operator in the gateway's configuration, under the same rules as "custody": "gateway"
  for (const user of serviceAccounts) {
    const known = org.users.get(user);
    if (known === undefined) problems.push(`service account ${user} is not a user of ${org.mspId} in network.json`);
    else if (known.role !== undefined && NEVER_CUSTODIAL_ROLES.has(known.role)) problems.push(`service account ${user} has the ${known.role} role in network.json: verifiers and validators sign themselves`);
    else custodial.add(user);
  }
  const signers = new Map<string, ClientSigner>();
  for (const [user, declared] of declarations(keys, problems)) {
    const known = org.users.get(user);
    const mspId = declared.mspId ?? org.mspId;
    if (declared.custody === 'gateway') {
      if (known === undefined || mspId !== org.mspId) {
        problems.push(`${user} is declared "custody": "gateway" but is not a user of ${org.mspId} in network.json (a gateway signs only for its own organisation's service accounts)`);
      } else if (known.role !== undefined && NEVER_CUSTODIAL_ROLES.has(known.role)) {
        problems.push(`${user} is declared "custody": "gateway" but has the ${known.role} role in network.json: verifiers and validators sign themselves`);
      } else if (declared.certificatePem !== undefined) {
        problems.push(`${user} is declared "custody": "gateway": its certificate comes from network.json, not the API key`);
      } else {
        custodial.add(user);
      }
      continue;
    }
    const pem = declared.certificatePem ?? (known !== undefined && mspId === org.mspId ? readCertificate(known.certPath, user, problems) : undefined);
    if (pem === undefined) {
      if (!problems.some((p) => p.includes(user))) problems.push(`${user} signs itself but its certificate is unknown: it is not a user of ${mspId === org.mspId ? org.mspId : `this gateway's organisation (it is of ${mspId})`} in network.json; give "certificate" or "certificatePath" in its API key`);
      continue;
    }
    try {
      signers.set(user, clientSignerOf(user, mspId, pem));
    } catch (error) {
      problems.push(`${user}: the certificate is not an X.509 PEM certificate (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    clientSigner: (user) => signers.get(user),
    mayReadKey: (user) => custodial.has(user),
  };
}

function readCertificate(file: string, user: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${user}: certificate ${file} cannot be read (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}
