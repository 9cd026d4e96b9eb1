/**
 * Cost of verifying a claim's credential inside the chaincode, through the in-memory peer (no
 * network): CPU time (user + system, process.cpuUsage) of one whole `claims:Submit` (credential
 * verification, pseudonym derivation, state reads and writes), and of the credential check alone
 * (`checkCredential` as the chaincode calls it), over N distinct signed credentials after a
 * warm-up. Prints p50/p95/max in ms and writes them as JSON.
 *
 *   node build/bench/src/credential-endorsement.js [N=50] [out.json]
 */
import { checkCredential, createStaticDocumentLoader, pseudonymSaltFor } from '@impact-ledger/credentials';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCast, claimDoc, submitClaim, TEST_NETWORK_SECRET } from '../../test/helpers/cast';

function cpuMs(run: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  return run().then(() => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summary(samples: number[]): { p50: number; p95: number; max: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted[sorted.length - 1] ?? Number.NaN), mean: round(samples.reduce((s, v) => s + v, 0) / samples.length) };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 50);
  const out = process.argv[3] ?? path.join('build', 'bench', 'credential-endorsement.json');
  const warmup = 5;
  const c = await buildCast();
  const docs = [];
  for (let i = 0; i < n + warmup; i++) docs.push(await claimDoc(c.p1, { subject: `bench-${i}` }));
  const submit: number[] = [];
  for (const [i, doc] of docs.entries()) {
    let ok = false;
    const ms = await cpuMs(async () => { ok = (await submitClaim(c.net, c.submitter1, doc)).ok; });
    if (!ok) throw new Error(`claims:Submit ${i} was refused`);
    if (i >= warmup) submit.push(ms);
  }
  const loader = createStaticDocumentLoader();
  const policy = { trustedIssuers: [docs[0]?.issuer ?? ''], quantityField: 'quantity', periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' }, pseudonymSalt: pseudonymSaltFor(TEST_NETWORK_SECRET, 'commute-modal-shift') };
  const check: number[] = [];
  for (const [i, doc] of docs.entries()) {
    const ms = await cpuMs(async () => {
      const outcome = await checkCredential(doc.credential, policy, { now: new Date('2026-04-01T12:00:00Z'), documentLoader: loader, maxBytes: 64 * 1024 });
      if (!outcome.ok) throw new Error(`credential ${i} refused: ${outcome.code}`);
    });
    if (i >= warmup) check.push(ms);
  }
  const result = { runs: n, warmup, node: process.version, submitCpuMs: summary(submit), credentialCheckCpuMs: summary(check) };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
