/**
 * Checks that each party of a network (an organisation, or the ordering organisation) is its own
 * host: its folders hold only its own private keys, and its processes listen only on its own
 * address. Used against the real network (test/integration/hosts.test.ts) and, with planted
 * faults, by the unit tests (test/unit/org-isolation.test.ts).
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';

/** One party: its folders (its whole state), its CA's root certificate, its nodes' address. */
export interface Party {
  readonly name: string;
  readonly folders: readonly string[];
  readonly rootCertPath: string;
  readonly address: string;
}

/** A private key found in a party's folder that does not belong to that party, and why. */
export interface KeyFinding { readonly party: string; readonly file: string; readonly problem: string }

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

function pemBlocks(text: string, kind: (label: string) => boolean): string[] {
  return [...text.matchAll(PEM_BLOCK)].filter((match) => kind(match[1] ?? '')).map((match) => match[0]);
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((relative) => path.join(folder, relative))
    .filter((file) => statSync(file).isFile() && statSync(file).size < 1_000_000);
}

/** A PEM private key: PKCS#8, or SEC1 under a PKCS#8 label (Fabric CA's Idemix revocation key). */
function privateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    return createPrivateKey({ key: der, format: 'der', type: 'sec1' });
  }
}

function publicKeyOf(pem: string, kind: 'private' | 'certificate'): string {
  const key = kind === 'private' ? createPublicKey(privateKey(pem)) : new X509Certificate(pem).publicKey;
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** Keys a party holds that no certificate names: its Fabric CA's Idemix revocation key (in the CA's own home). */
const UNCERTIFIED_CA_KEYS = new Set(['IssuerRevocationPrivateKey']);

/** Every PEM block (of a kind) in the files of some folders, with the file it is in. */
function blocksIn(folders: readonly string[], kind: (label: string) => boolean): { file: string; pem: string }[] {
  return folders.flatMap(filesUnder).flatMap((file) => {
    const text = readFileSync(file, 'latin1');
    return text.includes('-----BEGIN') ? pemBlocks(text, kind).map((pem) => ({ file, pem })) : [];
  });
}

/**
 * Every private key in a party's folders must be the key of a certificate in those folders that
 * the party's own CA issued (or of that CA's own certificate); the one exception is the CA's own
 * Idemix revocation key, in its server home, which no certificate names. Returns what breaks this rule,
 * naming the party whose certificate the key belongs to when it is another's.
 */
export function foreignKeys(parties: readonly Party[]): { checked: number; findings: KeyFinding[] } {
  const roots = new Map(parties.map((party) => [party.name, new X509Certificate(readFileSync(party.rootCertPath))]));
  const issuedBy = (cert: X509Certificate): string | undefined => [...roots].find(([, root]) =>
    cert.raw.equals(root.raw) || (cert.checkIssued(root) && cert.verify(root.publicKey)))?.[0];
  // certificates of the whole network by public key, with the party whose CA issued each
  const owners = new Map<string, string>();
  for (const party of parties) {
    for (const { pem } of blocksIn(party.folders, (label) => label === 'CERTIFICATE')) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch {
        continue;  // a PEM torn across a database page (the CA's sqlite file): only keys are judged
      }
      const owner = issuedBy(cert);
      if (owner !== undefined) owners.set(publicKeyOf(pem, 'certificate'), owner);
    }
  }
  const findings: KeyFinding[] = [];
  let checked = 0;
  for (const party of parties) {
    for (const { file, pem } of blocksIn(party.folders, (label) => label.endsWith('PRIVATE KEY'))) {
      checked += 1;
      let publicKey: string;
      try {
        publicKey = publicKeyOf(pem, 'private');
      } catch (error) {
        findings.push({ party: party.name, file, problem: `unreadable private key: ${String(error)}` });
        continue;
      }
      const owner = owners.get(publicKey);
      if (owner === undefined && UNCERTIFIED_CA_KEYS.has(path.basename(file)) && path.dirname(file).endsWith(path.join('ca', 'server', 'msp', 'keystore'))) continue;
      if (owner !== party.name) {
        findings.push({ party: party.name, file, problem: owner === undefined ? 'the key of no certificate of the network' : `a private key of ${owner}` });
      }
    }
  }
  return { checked, findings };
}

/** A listening TCP socket: its local address and port. */
export interface Listener { readonly address: string; readonly port: number }

/** Decodes /proc/net/tcp's local address (`0100007F:1F90`) or tcp6's (32 hex digits). */
export function decodeProcAddress(hex: string): Listener {
  const [ip = '', port = ''] = hex.split(':');
  if (ip.length === 8) {
    const bytes = Buffer.from(ip, 'hex').reverse();
    return { address: [...bytes].join('.'), port: parseInt(port, 16) };
  }
  // IPv6: four 32-bit words, each in host (little-endian) order
  const words = (ip.match(/.{8}/g) ?? []).map((word) => Buffer.from(word, 'hex').reverse().toString('hex'));
  const groups = words.join('').match(/.{4}/g) ?? [];
  const v6 = groups.join(':');
  const mapped = /^0000:0000:0000:0000:0000:ffff:([0-9a-f]{4}):([0-9a-f]{4})$/.exec(v6);
  const address = mapped
    ? Buffer.from(`${mapped[1] ?? ''}${mapped[2] ?? ''}`, 'hex').join('.')
    : v6.replace(/\b0+(?=[0-9a-f])/g, '');
  return { address, port: parseInt(port, 16) };
}

/** Every listening TCP socket of the network namespace of process `pid`, by socket inode. */
export function listeningSockets(pid: number = process.pid): Map<string, Listener> {
  const sockets = new Map<string, Listener>();
  for (const table of ['tcp', 'tcp6']) {
    const file = `/proc/${pid}/net/${table}`;
    if (!existsSync(file)) continue;
    for (const row of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const columns = row.trim().split(/\s+/);
      // columns: sl local_address rem_address st ... inode (10th); st 0A = LISTEN
      if (columns[3] === '0A') sockets.set(columns[9] ?? '', decodeProcAddress(columns[1] ?? ''));
    }
  }
  return sockets;
}

/** The TCP sockets process `pid` listens on (its fds' socket inodes among the listening sockets). */
export function listenersOf(pid: number, sockets: Map<string, Listener> = listeningSockets(pid)): Listener[] {
  const listeners: Listener[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;  // closed meanwhile
    }
    const listener = sockets.get(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '');
    if (listener) listeners.push(listener);
  }
  return listeners;
}
