/**
 * The checks of test/integration/hosts.test.ts catch what they look for: a private key of one
 * party planted in another's folder, a key of no certificate, a listener on another address.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeProcAddress, foreignKeys, listenersOf, type Party } from '../helpers/org-isolation';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A party folder with a CA (ca/ca-cert.pem, ca/ca.key) and one identity it certified (id/). */
function party(root: string, name: string): Party {
  const folder = path.join(root, name);
  mkdirSync(path.join(folder, 'ca'), { recursive: true });
  mkdirSync(path.join(folder, 'id', 'keystore'), { recursive: true });
  const ca = path.join(folder, 'ca');
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(ca, 'ca.key'),
    '-out', path.join(ca, 'ca-cert.pem'), '-days', '1', '-subj', `/O=${name}/CN=ca.${name}`);
  const key = path.join(folder, 'id', 'keystore', 'priv_sk');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key,
    '-out', path.join(folder, 'id', 'csr.pem'), '-subj', `/O=${name}/CN=user.${name}`);
  openssl('x509', '-req', '-in', path.join(folder, 'id', 'csr.pem'), '-CA', path.join(ca, 'ca-cert.pem'), '-CAkey', path.join(ca, 'ca.key'),
    '-CAcreateserial', '-out', path.join(folder, 'id', 'cert.pem'), '-days', '1');
  return { name, folders: [folder], rootCertPath: path.join(ca, 'ca-cert.pem'), address: '127.0.0.2' };
}

describe('organisation isolation checks', () => {
  it('accept parties that hold only their own keys, and name the owner of a key planted in another party\'s folder', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'il-isolation-'));
    const a = party(root, 'OrgA');
    const b = party(root, 'OrgB');
    const clean = foreignKeys([a, b]);
    expect(clean.findings).to.deep.equal([]);
    expect(clean.checked).to.equal(4);  // two CA keys, two identities' keys

    copyFileSync(path.join(root, 'OrgA', 'id', 'keystore', 'priv_sk'), path.join(root, 'OrgB', 'id', 'keystore', 'stolen_sk'));
    const planted = foreignKeys([a, b]);
    expect(planted.findings).to.have.length(1);
    expect(planted.findings[0]).to.include({ party: 'OrgB', problem: 'a private key of OrgA' });

    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path.join(root, 'OrgA', 'id', 'stray.key'));
    expect(foreignKeys([a, b]).findings.map((f) => f.problem)).to.include('the key of no certificate of the network');
  });

  it('decode /proc/net/tcp addresses, IPv4 and IPv6', () => {
    expect(decodeProcAddress('0200007F:1F90')).to.deep.equal({ address: '127.0.0.2', port: 8080 });
    expect(decodeProcAddress('00000000:0050')).to.deep.equal({ address: '0.0.0.0', port: 80 });
    expect(decodeProcAddress('0000000000000000FFFF00000300007F:1F90')).to.deep.equal({ address: '127.0.0.3', port: 8080 });
    expect(decodeProcAddress('00000000000000000000000001000000:0016').address).to.equal('0:0:0:0:0:0:0:1');
  });

  it('list the addresses this process listens on', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.3', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      expect(listenersOf(process.pid)).to.deep.include({ address: '127.0.0.3', port });
    } finally {
      server.close();
    }
  });
});
