/**
 * `node build/bench/src/cpu-profile.js FILE.cpuprofile [--top N]`: where a process's CPU went
 * (self time by package or file, and by function), from a profile written by `node --cpu-prof`
 * (e.g. the gateways of `npm run bench -- --stages http --profile-gateways DIR`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { summariseProfile, type CpuProfile, type SelfTime } from '../lib/cpu-profile';

/** The repository (this file runs from build/bench/src). */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const { values, positionals } = parseArgs({ options: { top: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
if (values.help || positionals.length === 0) {
  console.log('Usage: node build/bench/src/cpu-profile.js FILE.cpuprofile... [--top N]\n  self time of each profile by package or file and by function, largest first (default top 25)');
  process.exit(values.help ? 0 : 2);
}
const top = Number(values.top ?? 25);
if (!Number.isInteger(top) || top < 1) {
  console.error(`--top needs a positive integer, not '${values.top}'`);
  process.exit(2);
}
const row = (t: SelfTime) => `${(100 * t.share).toFixed(1).padStart(6)} %  ${t.ms.toFixed(0).padStart(8)} ms  ${t.name}`;
for (const file of positionals) {
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  } catch (error) {
    console.error(`${file}: not a readable CPU profile (${(error as Error).message})`);
    process.exit(1);
  }
  const summary = summariseProfile(profile, { top, repoRoot: REPO_ROOT });
  console.log(`${file}: ${summary.sampledMs.toFixed(0)} ms sampled\n  by package or file:`);
  for (const t of summary.byModule) console.log(`  ${row(t)}`);
  console.log('  by function:');
  for (const t of summary.byFunction) console.log(`  ${row(t)}`);
}
