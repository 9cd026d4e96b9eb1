/**
 * The network's own pieces that need no running Fabric: the CCaaS external builder scripts and
 * docker-compose.yaml's agreement with the native topology.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/network';

const builder = path.join(REPO_ROOT, 'network', 'builders', 'ccaas', 'bin');

function runBuilder(step: string, ...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(path.join(builder, step), args, { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'il-builder-'));
}

describe('ccaas external builder', () => {
  it('detects only packages whose metadata type is ccaas', () => {
    const meta = tempDir();
    writeFileSync(path.join(meta, 'metadata.json'), '{ "type" : "ccaas", "label": "impact_1.0" }');
    expect(runBuilder('detect', tempDir(), meta).status).to.equal(0);
    writeFileSync(path.join(meta, 'metadata.json'), '{"type":"node","label":"impact_1.0"}');
    expect(runBuilder('detect', tempDir(), meta).status).to.not.equal(0);
    expect(runBuilder('detect', tempDir(), tempDir()).status, 'no metadata.json').to.not.equal(0);
  });

  it('builds and releases connection.json where the peer looks for it', () => {
    const src = tempDir();
    const out = tempDir();
    const rel = tempDir();
    const connection = '{"address":"127.0.0.1:7054","dial_timeout":"10s","tls_required":false}';
    writeFileSync(path.join(src, 'connection.json'), connection);
    expect(runBuilder('build', src, tempDir(), out).status).to.equal(0);
    expect(runBuilder('release', out, rel).status).to.equal(0);
    expect(readFileSync(path.join(rel, 'chaincode', 'server', 'connection.json'), 'utf8')).to.equal(connection);
  });

  it('refuses a package without a usable connection.json, saying why', () => {
    const src = tempDir();
    const missing = runBuilder('build', src, tempDir(), tempDir());
    expect(missing.status).to.not.equal(0);
    expect(missing.stderr).to.contain('connection.json is missing');
    writeFileSync(path.join(src, 'connection.json'), '{"dial_timeout":"10s"}');
    const noAddress = runBuilder('build', src, tempDir(), tempDir());
    expect(noAddress.status).to.not.equal(0);
    expect(noAddress.stderr).to.contain('no "address"');
  });
});

describe('docker-compose.yaml', () => {
  const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; profiles?: string[] }>;
  };

  function nativeNodes(consensus: string): string[] {
    const home = mkdtempSync(path.join(tmpdir(), 'il-nodes-'));
    mkdirSync(home, { recursive: true });
    const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), 'nodes'], {
      env: { ...process.env, IL_HOME: home, CONSENSUS: consensus },
      encoding: 'utf8',
    });
    return out.trim().split('\n');
  }

  for (const consensus of ['raft', 'bft']) {
    it(`names every node the native ${consensus} network runs`, () => {
      const nodes = nativeNodes(consensus);
      expect(nodes.length).to.be.greaterThan(6);
      for (const node of nodes) expect(Object.keys(compose.services), node).to.include(node);
    });
  }

  it('runs the official Fabric 3.1.1 images for orderers and peers', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name.startsWith('orderer')) expect(service.image).to.equal('hyperledger/fabric-orderer:3.1.1');
      if (name.startsWith('peer')) expect(service.image).to.equal('hyperledger/fabric-peer:3.1.1');
    }
    expect(existsSync(path.join(REPO_ROOT, 'network', 'builders', 'ccaas', 'bin', 'release'))).to.equal(true);
  });
});
