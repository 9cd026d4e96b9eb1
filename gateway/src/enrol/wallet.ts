/**
 * A user's own wallet: an MSP folder that Fabric's tools and fabric-gateway clients read.
 *   DIR/signcerts/cert.pem      the enrolment certificate
 *   DIR/keystore/<sha256>_sk    its private key (PKCS#8 PEM, mode 0600; keystore/ is 0700)
 *   DIR/cacerts/ca.pem          the organisation's CA root (also the TLS trust for the CA)
 *   DIR/config.yaml             NodeOUs, as in the organisation's MSP
 *   DIR/wallet.json             where to re-enrol: the CA's URL and the enrolment name
 * Files are replaced atomically (write to a temporary name, then rename).
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from './ca-client.js';
import { spkiOfCertificate, spkiOfKey } from './csr.js';

export interface WalletInfo { readonly caUrl: string; readonly name: string }

export interface Wallet {
  readonly dir: string;
  readonly info: WalletInfo;
  readonly certPem: string;
  readonly key: KeyObject;
  readonly keyFile: string;
}

const NODE_OUS = ['Client:client', 'Peer:peer', 'Admin:admin', 'Orderer:orderer'];

function nodeOusYaml(): string {
  const lines = ['NodeOUs:', '  Enable: true'];
  for (const ou of NODE_OUS) {
    const [kind, id] = ou.split(':') as [string, string];
    lines.push(`  ${kind}OUIdentifier:`, '    Certificate: cacerts/ca.pem', `    OrganizationalUnitIdentifier: ${id}`);
  }
  return `${lines.join('\n')}\n`;
}

function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode); // the umask must not widen or narrow it
  renameSync(tmp, file);
}

/** The key file name: the SHA-256 of the public key (SPKI DER), as Fabric names its keys. */
export function keyFileName(key: KeyObject): string {
  return `${sha256Hex(spkiOfKey(key))}_sk`;
}

/**
 * Stores a key and its certificate in DIR (created if missing). Refuses a certificate that is not
 * for that key. Removes any older key once the new one is in place.
 */
export function storeWallet(dir: string, info: WalletInfo, keyPem: string, certPem: string, caPem: string): Wallet {
  const key = createPrivateKey(keyPem);
  if (!spkiOfCertificate(certPem).equals(spkiOfKey(key))) throw new Error('the certificate is not for the key made here');
  for (const sub of ['signcerts', 'cacerts']) mkdirSync(path.join(dir, sub), { recursive: true });
  mkdirSync(path.join(dir, 'keystore'), { recursive: true, mode: 0o700 });
  chmodSync(path.join(dir, 'keystore'), 0o700);
  const keyFile = path.join(dir, 'keystore', keyFileName(key));
  const old = readdirSync(path.join(dir, 'keystore')).filter((f) => f.endsWith('_sk') && path.join(dir, 'keystore', f) !== keyFile);
  writeAtomic(keyFile, keyPem, 0o600);
  writeAtomic(path.join(dir, 'signcerts', 'cert.pem'), certPem, 0o644);
  writeAtomic(path.join(dir, 'cacerts', 'ca.pem'), caPem, 0o644);
  writeAtomic(path.join(dir, 'config.yaml'), nodeOusYaml(), 0o644);
  writeAtomic(path.join(dir, 'wallet.json'), `${JSON.stringify(info, null, 2)}\n`, 0o644);
  for (const f of old) rmSync(path.join(dir, 'keystore', f));
  return { dir, info, certPem, key, keyFile };
}

function parseInfo(text: string, file: string): WalletInfo {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${file} is not a wallet description`);
  const { caUrl, name } = parsed as Record<string, unknown>;
  if (typeof caUrl !== 'string' || typeof name !== 'string') throw new Error(`${file} lacks caUrl or name`);
  return { caUrl, name };
}

/** Reads a wallet written by {@link storeWallet}. */
export function loadWallet(dir: string): Wallet {
  const infoFile = path.join(dir, 'wallet.json');
  if (!existsSync(infoFile)) throw new Error(`${dir} is not a wallet (no wallet.json)`);
  const info = parseInfo(readFileSync(infoFile, 'utf8'), infoFile);
  const keys = readdirSync(path.join(dir, 'keystore')).filter((f) => f.endsWith('_sk'));
  if (keys.length !== 1 || keys[0] === undefined) throw new Error(`${dir}/keystore must hold exactly one key (found ${keys.length})`);
  const keyFile = path.join(dir, 'keystore', keys[0]);
  return { dir, info, certPem: readFileSync(path.join(dir, 'signcerts', 'cert.pem'), 'utf8'), key: createPrivateKey(readFileSync(keyFile)), keyFile };
}

export function walletCaPem(dir: string): string {
  return readFileSync(path.join(dir, 'cacerts', 'ca.pem'), 'utf8');
}
