/**
 * `impact-ledger users:register`, `enroll` and `reenroll`: enrolment with a key the user makes.
 * The operator registers a name at the organisation's CA (its registrar, through the network's
 * fabric-ca-client) and hands the one-time secret to the user; the user makes a key and a CSR
 * here, sends only the CSR to the CA, and keeps the key in their own wallet. No gateway is involved.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { enrollWithSecret, reenrollWithKey } from './ca-client.js';
import { newKeyAndRequest } from './csr.js';
import { loadWallet, storeWallet, walletCaPem } from './wallet.js';

export const ENROL_USAGE = {
  register: 'users:register <name> <client|admin> --org-home DIR [--ca-url URL]',
  enroll: 'enroll --ca-url URL --ca-cert ca.pem --name N --secret S --wallet DIR',
  reenroll: 'reenroll --wallet DIR',
} as const;

const REGISTER_HELP = `Usage: impact-ledger ${ENROL_USAGE.register}

Operator side. Registers <name> at the organisation's own Fabric CA, as its registrar, and prints
{"name","type","caUrl","secret"}: hand the one-time secret to the user, who enrols with
'impact-ledger enroll' and a key of their own (the CA never sees it, nor does the operator).
  <client|admin>    the identity's type (its OU: a user, or another operator of the organisation)
  --org-home DIR    the organisation's folder (IL_ORG_HOME): DIR/ca/registrar is the registrar's
                    fabric-ca-client home, DIR/ca/server/ca-cert.pem the CA's root
                    (e.g. network/data/crypto/peerOrganizations/org1.impact.local)
  --ca-url URL      the CA (default: the URL the registrar enrolled with)
Runs FABRIC_BIN/fabric-ca-client (default: the repository's .fabric/bin).`;

const ENROLL_HELP = `Usage: impact-ledger ${ENROL_USAGE.enroll}

User side, needs no Fabric binary. Makes a P-256 key here, sends only a PKCS#10 request (CN=name)
to the CA's POST /api/v1/enroll (HTTP Basic name:secret, TLS trusting only --ca-cert) and stores
the key and the certificate in the wallet, an MSP folder:
  DIR/signcerts/cert.pem, DIR/keystore/<sha256 of the public key>_sk (mode 0600),
  DIR/cacerts/ca.pem, DIR/config.yaml (NodeOUs), DIR/wallet.json (CA URL and name, for reenroll).
Use it with Fabric's tools (CORE_PEER_MSPCONFIGPATH=DIR) or a fabric-gateway client.`;

const REENROLL_HELP = `Usage: impact-ledger ${ENROL_USAGE.reenroll}

User side. Makes a new key, sends a new CSR to the CA's POST /api/v1/reenroll authorised by a
token signed with the wallet's current key, and replaces the key and certificate in the wallet
(same name, so the same ledger identity and roles). The old key is deleted.`;

function repoFabricBin(): string {
  if (process.env.FABRIC_BIN) return process.env.FABRIC_BIN;
  // gateway/dist/enrol/commands.js or build/gateway/src/enrol/commands.js: look upwards for .fabric/bin.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, '.fabric', 'bin');
    if (existsSync(path.join(candidate, 'fabric-ca-client'))) return candidate;
    dir = path.dirname(dir);
  }
  return '';
}

function registrarUrl(registrarHome: string): string | undefined {
  const file = path.join(registrarHome, 'fabric-ca-client-config.yaml');
  if (!existsSync(file)) return undefined;
  const match = /^url:\s*(\S+)\s*$/m.exec(readFileSync(file, 'utf8'));
  return match?.[1];
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new Error(`missing --${name}`);
  return value;
}

export function register(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv], allowPositionals: true,
    options: { 'org-home': { type: 'string' }, 'ca-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) { console.log(REGISTER_HELP); return 0; }
  const [name, type] = positionals;
  if (name === undefined || type === undefined || positionals.length !== 2) { console.error(REGISTER_HELP); return 2; }
  if (type !== 'client' && type !== 'admin') throw new Error(`the type must be client or admin (got '${type}')`);
  if (!/^[A-Za-z0-9][A-Za-z0-9@._-]{0,127}$/.test(name)) throw new Error(`'${name}' is not a valid name (letters, digits, @ . _ -)`);
  const orgHome = required(values['org-home'] ?? process.env.IL_ORG_HOME, 'org-home');
  const registrarHome = path.join(orgHome, 'ca', 'registrar');
  const caCert = path.join(orgHome, 'ca', 'server', 'ca-cert.pem');
  const caUrl = values['ca-url'] ?? registrarUrl(registrarHome);
  if (caUrl === undefined) throw new Error(`no CA URL: pass --ca-url (nothing in ${registrarHome})`);
  const secret = randomBytes(16).toString('hex');
  const bin = repoFabricBin();
  execFileSync(bin ? path.join(bin, 'fabric-ca-client') : 'fabric-ca-client', [
    'register', '-u', caUrl, '--tls.certfiles', caCert, '--loglevel', 'warning',
    '--id.name', name, '--id.type', type, '--id.secret', secret, '--id.affiliation', '', '--id.maxenrollments', '1',
  ], { env: { ...process.env, FABRIC_CA_CLIENT_HOME: registrarHome }, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(JSON.stringify({ name, type, caUrl, secret }));
  return 0;
}

export async function enroll(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { 'ca-url': { type: 'string' }, 'ca-cert': { type: 'string' }, name: { type: 'string' }, secret: { type: 'string' }, wallet: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) { console.log(ENROLL_HELP); return 0; }
  const caUrl = required(values['ca-url'], 'ca-url');
  const caPem = readFileSync(required(values['ca-cert'], 'ca-cert'), 'utf8');
  const name = required(values.name, 'name');
  const secret = required(values.secret ?? process.env.IL_ENROLL_SECRET, 'secret');
  const dir = required(values.wallet, 'wallet');
  const { keyPem, csrPem } = await newKeyAndRequest(name);
  const answer = await enrollWithSecret(caUrl, caPem, name, secret, csrPem);
  const wallet = storeWallet(dir, { caUrl, name }, keyPem, answer.certPem, caPem);
  console.log(JSON.stringify({ name, wallet: wallet.dir, certificate: path.join(dir, 'signcerts', 'cert.pem') }));
  return 0;
}

export async function reenroll(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { wallet: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help === true) { console.log(REENROLL_HELP); return 0; }
  const dir = required(values.wallet, 'wallet');
  const current = loadWallet(dir);
  const caPem = walletCaPem(dir);
  const { keyPem, csrPem } = await newKeyAndRequest(current.info.name);
  const answer = await reenrollWithKey(current.info.caUrl, caPem, current.certPem, current.key, csrPem);
  const wallet = storeWallet(dir, current.info, keyPem, answer.certPem, caPem);
  console.log(JSON.stringify({ name: current.info.name, wallet: wallet.dir, certificate: path.join(dir, 'signcerts', 'cert.pem') }));
  return 0;
}
