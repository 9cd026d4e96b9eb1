/**
 * Gateway configuration: defaults, every problem reported with the variable to set, TLS options
 * and API keys of both kinds (bearer token hash, client certificate hash).
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadApiKeys, loadConfig } from '@impact-ledger/gateway';

const base = { IL_GATEWAY_MSP_ID: 'Org2MSP', IL_NETWORK_JSON: 'n.json', IL_GATEWAY_API_KEYS: 'k.json', IL_GATEWAY_DATA_DIR: 'd', IL_NETWORK_SECRET: 's'.repeat(16) };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('gateway configuration', () => {
  it('fills defaults: loopback, port 3000 + org number, no TLS', () => {
    const config = loadConfig(base);
    expect(config).to.include({ host: '127.0.0.1', port: 3002, maxSubmitAttempts: 4 });
    expect(config.tls).to.equal(undefined);
    expect(path.isAbsolute(config.dataDir)).to.equal(true);
  });

  it('keeps settled Idempotency-Keys 24 hours unless IL_GATEWAY_IDEMPOTENCY_RETENTION_HOURS says otherwise', () => {
    expect(loadConfig(base).idempotencyRetentionHours).to.equal(24);
    expect(loadConfig({ ...base, IL_GATEWAY_IDEMPOTENCY_RETENTION_HOURS: '0.5' }).idempotencyRetentionHours).to.equal(0.5);
    expect(problemsOf({ ...base, IL_GATEWAY_IDEMPOTENCY_RETENTION_HOURS: '0' }).join('\n')).to.contain('IL_GATEWAY_IDEMPOTENCY_RETENTION_HOURS');
    expect(problemsOf({ ...base, IL_GATEWAY_IDEMPOTENCY_RETENTION_HOURS: 'a day' }).join('\n')).to.contain('IL_GATEWAY_IDEMPOTENCY_RETENTION_HOURS');
  });

  it('reads the credential check threads and the Min-Block-Number wait, keeping the other deadlines of the file', () => {
    expect(loadConfig(base).credentialCheckThreads).to.equal(0);
    expect(loadConfig(base).deadlines.minBlockWaitMs).to.equal(5000);
    const dir = mkdtempSync(path.join(tmpdir(), 'il-config-'));
    const file = path.join(dir, 'gateway.json');
    writeFileSync(file, JSON.stringify({ deadlines: { commitStatusMs: 15_000, minBlockWaitMs: 2000 } }));
    const config = loadConfig({ ...base, IL_GATEWAY_CONFIG: file, IL_GATEWAY_CHECK_THREADS: '3', IL_GATEWAY_MIN_BLOCK_WAIT_MS: '250' });
    expect(config.credentialCheckThreads).to.equal(3);
    expect(config.deadlines).to.include({ commitStatusMs: 15_000, minBlockWaitMs: 250, evaluateMs: 10_000 });
    expect(problemsOf({ ...base, IL_GATEWAY_MIN_BLOCK_WAIT_MS: '-1' }).join('\n')).to.contain('IL_GATEWAY_MIN_BLOCK_WAIT_MS');
    expect(problemsOf({ ...base, IL_GATEWAY_CHECK_THREADS: 'many' }).join('\n')).to.contain('IL_GATEWAY_CHECK_THREADS');
  });

  it('screens credentials before submitting unless IL_GATEWAY_CREDENTIAL_PRECHECK=full', () => {
    expect(loadConfig(base).credentialPrecheck).to.equal('screen');
    expect(loadConfig({ ...base, IL_GATEWAY_CREDENTIAL_PRECHECK: 'full' }).credentialPrecheck).to.equal('full');
    expect(problemsOf({ ...base, IL_GATEWAY_CREDENTIAL_PRECHECK: 'none' }).join('\n')).to.contain('IL_GATEWAY_CREDENTIAL_PRECHECK');
  });

  it('reports every problem at once, naming the variable to set', () => {
    const problems = problemsOf({ IL_GATEWAY_MSP_ID: 'Org1MSP', IL_NETWORK_SECRET: 'short' });
    expect(problems.join('\n')).to.contain('IL_NETWORK_JSON').and.to.contain('IL_GATEWAY_DATA_DIR').and.to.contain('IL_NETWORK_SECRET');
  });

  it('reads HTTPS and mutual TLS from IL_GATEWAY_TLS_*', () => {
    const config = loadConfig({ ...base, IL_GATEWAY_TLS_CERT: 'c.pem', IL_GATEWAY_TLS_KEY: 'k.pem', IL_GATEWAY_TLS_CLIENT_CA: 'ca.pem', IL_GATEWAY_TLS_REQUIRE_CLIENT_CERT: 'true' });
    expect(config.tls).to.deep.equal({ certFile: path.resolve('c.pem'), keyFile: path.resolve('k.pem'), clientCaFile: path.resolve('ca.pem'), requireClientCertificate: true });
    expect(loadConfig({ ...base, IL_GATEWAY_TLS_CERT: 'c.pem', IL_GATEWAY_TLS_KEY: 'k.pem' }).tls?.requireClientCertificate).to.equal(false);
  });

  it('refuses TLS without its key, and required client certificates without a client CA', () => {
    expect(problemsOf({ ...base, IL_GATEWAY_TLS_CERT: 'c.pem' }).join('\n')).to.contain('IL_GATEWAY_TLS_KEY');
    expect(problemsOf({ ...base, IL_GATEWAY_TLS_CERT: 'c.pem', IL_GATEWAY_TLS_KEY: 'k.pem', IL_GATEWAY_TLS_REQUIRE_CLIENT_CERT: '1' }).join('\n'))
      .to.contain('IL_GATEWAY_TLS_CLIENT_CA');
  });

  it('loads API keys of bearer tokens and of client certificates, and refuses anything else', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'il-keys-'));
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [{ sha256: 'a'.repeat(64), user: 'User1@org1' }, { certSha256: 'b'.repeat(64), user: 'User2@org1', label: 'app' }] }));
    expect(loadApiKeys(file)).to.have.length(2);
    writeFileSync(file, JSON.stringify({ keys: [{ sha256: 'a'.repeat(64), certSha256: 'b'.repeat(64), user: 'User1@org1' }] }));
    expect(() => loadApiKeys(file)).to.throw(ConfigError);
    writeFileSync(file, JSON.stringify({ keys: [{ user: 'User1@org1' }] }));
    expect(() => loadApiKeys(file)).to.throw(ConfigError);
  });
});
