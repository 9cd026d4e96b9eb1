/**
 * The concurrency sweep as a picture: throughput and p99 latency against transactions in
 * flight, one line per stage, rendered to SVG by vega-lite + vega (no canvas needed).
 */
import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import type { StageResult } from '../lib/stats';

/** Writes the sweep chart to `file` (SVG); undefined when there is no sweep to draw. */
export async function writeChart(results: readonly StageResult[], file: string): Promise<string | undefined> {
  const stages = new Set(results.filter((r) => r.path === 'direct').map((r) => r.stage));
  const swept = [...stages].filter((s) => new Set(results.filter((r) => r.stage === s && r.path === 'direct').map((r) => r.concurrency)).size > 1);
  const values = results.filter((r) => swept.includes(r.stage) && r.path === 'direct')
    .map((r) => ({ stage: r.stage, concurrency: r.concurrency, tps: Number(r.tps.toFixed(2)), p99: Number.isFinite(r.p99) ? Math.round(r.p99) : null }));
  if (values.length === 0) return undefined;
  const x = { field: 'concurrency', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'transactions in flight' } as const;
  const color = { field: 'stage', type: 'nominal', title: 'stage' } as const;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'impact-ledger: throughput and p99 submit→commit latency against concurrency',
    data: { values },
    hconcat: [
      { width: 320, height: 240, mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'tps', type: 'quantitative', title: 'committed tx/s' }, color } },
      { width: 320, height: 240, mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'p99', type: 'quantitative', title: 'p99 latency (ms)', scale: { type: 'log' } }, color } },
    ],
  };
  return renderSvg(spec, file);
}

/** Renders a vega-lite `spec` to the SVG `file` (headless: no canvas); returns `file`. */
export async function renderSvg(spec: TopLevelSpec, file: string): Promise<string> {
  // vega's ESM build has top-level await: loaded with import(), not require().
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  writeFileSync(file, await view.toSVG());
  view.finalize();
  return file;
}

/**
 * The soak as a picture: resident memory (MiB) of each process against minutes of load, one line
 * per process, and the acknowledged transactions per second of each minute below.
 */
export async function writeMemoryChart(series: readonly { process: string; points: readonly { minute: number; kib: number }[] }[],
  throughput: readonly { minute: number; txPerSecond: number }[], file: string, subtitle: string): Promise<string> {
  const values = series.flatMap((s) => s.points.map((p) => ({ process: s.process, minute: p.minute, rss: Number((p.kib / 1024).toFixed(1)) })));
  const last = Math.max(1, ...values.map((v) => v.minute));
  const x = { field: 'minute', type: 'quantitative' as const, title: 'minutes of load', scale: { domain: [0, last] }, axis: { tickMinStep: 1, format: 'd' } };
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'impact-ledger soak: resident memory of each process', subtitle },
    vconcat: [
      { width: 640, height: 360, data: { values }, mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'rss', type: 'quantitative', title: 'RSS (MiB)' }, color: { field: 'process', type: 'nominal', title: 'process', scale: { scheme: 'tableau20' } } } },
      { width: 640, height: 120, data: { values: throughput.map((m) => ({ minute: m.minute, tps: Number(m.txPerSecond.toFixed(2)) })) }, mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'tps', type: 'quantitative', title: 'acknowledged tx/s' } } },
    ],
  }, file);
}
