/**
 * `npm run bench -- --batch-timeouts LIST`: after one benchmark run per orderer batch setting
 * (scripts/bench.sh), prints the settings side by side from their results files: each stage's
 * peak and the p99 latency at half of it, and which setting did best.
 * Usage: node compare.js RESULTS.json...
 */
import { readFileSync } from 'node:fs';
import type { StageResult } from '../lib/stats';

interface Run { file: string; label: string; settings: { batchTimeout: string; batchMaxMessages: string }; results: StageResult[] }

function peakOf(run: Run, stage: string): StageResult | undefined {
  return run.results.filter((r) => r.stage === stage && r.path === 'direct').reduce<StageResult | undefined>((b, r) => (!b || r.tps > b.tps ? r : b), undefined);
}

function main(): void {
  const runs = process.argv.slice(2).map((file) => ({ file, ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<Run, 'file'>) }));
  if (runs.length === 0) throw new Error('usage: compare RESULTS.json...');
  const stages = [...new Set(runs.flatMap((r) => r.results.filter((x) => !x.stage.includes('@')).map((x) => x.stage)))];
  console.log(`\norderer batch settings compared (${runs.length} runs, one network each):`);
  console.log(`${'batch timeout / max messages'.padEnd(30)}${stages.map((s) => `${s} peak tx/s`.padStart(22)).join('')}${stages.map((s) => `${s} p99 @half`.padStart(20)).join('')}`);
  for (const run of runs) {
    const peaks = stages.map((s) => peakOf(run, s));
    const halves = stages.map((s) => run.results.find((r) => r.stage === `${s} @half peak`));
    console.log(`${`${run.settings.batchTimeout} / ${run.settings.batchMaxMessages}`.padEnd(30)}${peaks.map((p) => (p ? `${p.tps.toFixed(1)} (c=${p.concurrency})` : '-').padStart(22)).join('')}${halves.map((h) => (h ? `${h.p99.toFixed(0)} ms` : '-').padStart(20)).join('')}`);
  }
  for (const stage of stages) {
    const best = runs.map((run) => ({ run, peak: peakOf(run, stage) })).filter((x) => x.peak).sort((a, b) => (b.peak?.tps ?? 0) - (a.peak?.tps ?? 0))[0];
    if (best) console.log(`  best ${stage} peak: batch ${best.run.settings.batchTimeout} / ${best.run.settings.batchMaxMessages} (${best.peak?.tps.toFixed(1)} tx/s)`);
  }
}

main();
