/**
 * Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`, the `.cpuprofile` JSON):
 * the sampled time of each function itself (self time), added up by function and by package or
 * file, largest first. Used to say where a gateway's time goes (`npm run bench -- --profile-gateways`).
 */

/** The parts of a `.cpuprofile` this reads (Chrome DevTools Protocol `Profiler.Profile`). */
export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }[];
  readonly samples: readonly number[];
  /** Microseconds between a sample and the one before it. */
  readonly timeDeltas: readonly number[];
}

export interface SelfTime { readonly name: string; readonly ms: number; readonly share: number }

export interface ProfileSummary {
  readonly sampledMs: number;
  /** By npm package (`@scope/name`), project file, or V8 category such as `(garbage collector)`. */
  readonly byModule: readonly SelfTime[];
  /** By function: `name file:line`. */
  readonly byFunction: readonly SelfTime[];
}

/** A script URL shortened to `pkg/...` inside node_modules, else to the path below the repository. */
export function shortUrl(url: string, repoRoot = ''): string {
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) return file.slice(nm + '/node_modules/'.length);
  return repoRoot !== '' && file.startsWith(`${repoRoot}/`) ? file.slice(repoRoot.length + 1) : file;
}

/** The module a script URL belongs to: its npm package, Node's built-ins, else its (short) file. */
export function moduleOf(url: string, repoRoot = ''): string {
  if (url.startsWith('node:')) return 'node (built-in modules)';
  if (!url.includes('/node_modules/')) return shortUrl(url, repoRoot);
  const parts = shortUrl(url).split('/');
  return parts[0]?.startsWith('@') === true ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

function ranked(totals: Map<string, number>, sampledUs: number, top: number): SelfTime[] {
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, share: sampledUs === 0 ? 0 : us / sampledUs }));
}

/** Self time by function and by module, the `top` largest of each. */
export function summariseProfile(profile: CpuProfile, options: { top?: number; repoRoot?: string } = {}): ProfileSummary {
  const top = options.top ?? 25;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byNode = new Map<number, number>();
  let sampledUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
    sampledUs += delta;
    byNode.set(id, (byNode.get(id) ?? 0) + delta);
  });
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const [id, us] of byNode) {
    const frame = frames.get(id);
    if (frame === undefined) continue;
    const short = shortUrl(frame.url, options.repoRoot);
    const name = short === '' ? frame.functionName : `${frame.functionName || '(anonymous)'} ${short}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const module = short === '' ? frame.functionName : moduleOf(frame.url, options.repoRoot);
    byModule.set(module, (byModule.get(module) ?? 0) + us);
  }
  return { sampledMs: sampledUs / 1000, byModule: ranked(byModule, sampledUs, top), byFunction: ranked(byFunction, sampledUs, top) };
}
