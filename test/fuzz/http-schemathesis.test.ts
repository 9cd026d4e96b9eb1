/**
 * Schemathesis against the gateway process of org 1 (its OpenAPI document, coverage, fuzzing and
 * stateful phases, fixed seed): no 5xx, every response matches its declared status, content type
 * and schema. The caller is a funder with nothing to spend, so no generated request may change
 * the ledger: the channel height on every peer must be the same before and after, unless a
 * mutation was answered 2xx (then the test names it). The funder signs its own transactions, so a
 * mutation that passes the gateway's checks is answered 202 with a step to sign (nothing is sent
 * to the orderer before the caller signs; Schemathesis does not sign): that is not an acceptance. Size: IL_SCHEMATHESIS_EXAMPLES (default 3
 * per operation); `npm run fuzz` runs it with enough for ≥ 10,000 requests.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { currentNetwork, REPO_ROOT } from '../helpers/network';
import { gatewayTokens, gatewayUrl, sameHeightEverywhere } from '../fault/load';

const execFileAsync = promisify(execFile);

interface HarEntry { request: { method: string; url: string }; response: { status: number } }

/** POST routes that compute an answer and write nothing (a 2xx from them changes no ledger). */
const READ_ONLY_POSTS = ['/v1/credentials/check', '/v1/reports/carbon-result', '/v1/reports/pcaf'];

describe('fuzz: Schemathesis against the gateway OpenAPI document', function () {
  this.timeout(Number(process.env.IL_SCHEMATHESIS_TIMEOUT_MS ?? 900_000));
  const examples = process.env.IL_SCHEMATHESIS_EXAMPLES ?? '3';
  const seed = process.env.IL_SCHEMATHESIS_SEED ?? '20261123';
  const minimum = Number(process.env.IL_SCHEMATHESIS_MIN_REQUESTS ?? 200);

  it(`finds no 5xx and no schema mismatch, and no rejected request changes the ledger (seed ${seed})`, async () => {
    const net = currentNetwork();
    const before = await sameHeightEverywhere(net);
    const reportDir = path.join(REPO_ROOT, 'build', 'schemathesis');
    const started = Date.now();
    let output: string;
    try {
      const { stdout, stderr } = await execFileAsync('bash', [path.join(REPO_ROOT, 'scripts', 'schemathesis.sh'),
        gatewayUrl(net, 1), gatewayTokens(net, 1).User5 as string, examples, seed, reportDir], { maxBuffer: 64 * 1024 * 1024 });
      output = stdout + stderr;
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; message: string };
      const text = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
      expect.fail(`schemathesis failed:\n${text.slice(text.lastIndexOf('FAILURES') === -1 ? -6000 : text.lastIndexOf('FAILURES')).slice(0, 12_000)}`);
    }
    const entries = (JSON.parse(readFileSync(path.join(reportDir, 'requests.har'), 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
    const statuses = new Map<number, number>();
    for (const entry of entries) statuses.set(entry.response.status, (statuses.get(entry.response.status) ?? 0) + 1);
    const mutations2xx = entries.filter((e) => e.request.method !== 'GET' && e.response.status >= 200 && e.response.status < 300
      && e.response.status !== 202 // a step to sign: nothing written
      && !READ_ONLY_POSTS.some((route) => new URL(e.request.url).pathname === route));
    const after = await sameHeightEverywhere(net);
    console.log(`      ${entries.length} requests in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; height ${before.height} -> ${after.height}`);
    console.log(`      ${output.split('\n').filter((l) => /generated|passed|schemathesis:/.test(l)).join(' | ').trim()}`);
    expect([...statuses.keys()].filter((s) => s >= 500), '5xx responses').to.deep.equal([]);
    expect(entries.length).to.be.at.least(minimum);
    expect(mutations2xx.map((e) => `${e.request.method} ${e.request.url} ${e.response.status}`), 'mutations accepted for a caller who can change nothing').to.deep.equal([]);
    expect(after.height, 'rejected requests changed the ledger').to.equal(before.height);
  });
});
