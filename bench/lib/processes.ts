/**
 * The network's processes as the benchmarks see them: their pids (the files scripts/lib/nodes.sh
 * records in `$IL_HOME/pids`), the CPU time each has used and its resident memory, read from
 * /proc (Linux). A stage's CPU profile is the difference
 * of two samples, per kind of process: where a committed transaction's CPU goes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** What a process is, from its pid file's name. */
export type ProcessKind = 'peer' | 'orderer' | 'chaincode' | 'ca' | 'gateway' | 'client';

export interface NetworkProcess { name: string; kind: ProcessKind; pid: number }

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** The kind of a node from its pid file name (peer0.org1, orderer2, chaincode.org3, ca.org1). */
export function kindOf(name: string): ProcessKind | undefined {
  if (name.startsWith('peer')) return 'peer';
  if (name.startsWith('orderer')) return 'orderer';
  if (name.startsWith('chaincode')) return 'chaincode';
  if (name.startsWith('ca.')) return 'ca';
  if (name.startsWith('gateway')) return 'gateway';
  return undefined;
}

/** The running processes recorded in `home`/pids (IL_HOME of the network; dead or unknown ones left out). */
export function networkProcesses(home: string): NetworkProcess[] {
  const dir = path.join(home, 'pids');
  if (!existsSync(dir)) return [];
  const found: NetworkProcess[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pid')).sort()) {
    const name = file.slice(0, -'.pid'.length);
    const kind = kindOf(name);
    const pid = Number(readFileSync(path.join(dir, file), 'utf8').trim());
    if (kind !== undefined && Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`)) found.push({ name, kind, pid });
  }
  return found;
}

/**
 * User + system CPU seconds `pid` has used (all its threads), from /proc/<pid>/stat; undefined
 * once it is gone. The command name (field 2) may hold spaces: fields are counted after its ')'.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Resident memory of `pid` in bytes (VmRSS), undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds per kind of process at one instant. */
export type CpuSample = Partial<Record<ProcessKind, number>>;

/** Samples the CPU time of `processes`, added per kind. */
export function sampleCpu(processes: readonly NetworkProcess[]): CpuSample {
  const sample: CpuSample = {};
  for (const p of processes) {
    const seconds = cpuSeconds(p.pid);
    if (seconds !== undefined) sample[p.kind] = (sample[p.kind] ?? 0) + seconds;
  }
  return sample;
}

/**
 * Milliseconds of CPU per unit of work (e.g. per committed transaction) of each kind between two
 * samples; kinds with no CPU used are left out.
 */
export function cpuPerUnit(before: CpuSample, after: CpuSample, units: number): CpuSample {
  const profile: CpuSample = {};
  if (units <= 0) return profile;
  for (const kind of Object.keys(after) as ProcessKind[]) {
    const used = (after[kind] ?? 0) - (before[kind] ?? 0);
    if (used > 0) profile[kind] = Number(((used * 1000) / units).toFixed(2));
  }
  return profile;
}

/** `peer 9.1, chaincode 21.0, ...` ms of CPU per unit, in a fixed order. */
export function formatProfile(profile: CpuSample): string {
  const order: ProcessKind[] = ['client', 'gateway', 'peer', 'chaincode', 'orderer', 'ca'];
  const parts = order.filter((k) => profile[k] !== undefined).map((k) => `${k} ${(profile[k] as number).toFixed(1)}`);
  return parts.length === 0 ? '-' : `${parts.join(', ')} ms CPU/tx`;
}

/** Bytes on disk of each node's ledger folder, and of a peer's state database within it. */
export interface DiskUse { node: string; totalBytes: number; stateDbBytes?: number }

function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(full);
    else if (entry.isFile()) total += statSync(full).blocks * 512;
  }
  return total;
}

/** Disk use of every node's ledger under `$IL_HOME/ledgers` (blocks allocated, like `du`). */
export function diskUse(networkJson: string): DiskUse[] {
  const dir = path.join(path.dirname(networkJson), 'ledgers');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().map((node) => {
    const state = path.join(dir, node, 'ledgersData', 'stateLeveldb');
    return { node, totalBytes: bytesUnder(path.join(dir, node)), ...(existsSync(state) ? { stateDbBytes: bytesUnder(state) } : {}) };
  });
}
