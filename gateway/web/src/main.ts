/**
 * The funder dashboard: log in with the API token, campaigns with progress bars, impact per pillar
 * and per SDG target (Chart.js, never a cross-pillar sum: one series per pillar and unit), the
 * settled proofs with filters, and a proof's provenance drawn as a graph (Cytoscape.js) with the
 * transaction ids and blocks. Every datum comes from the gateway's /v1 API with the bearer token.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import cytoscape from 'cytoscape';
import { setupSigning } from './actions';
import { $, el } from './dom';
import { api, ApiFailure, TOKEN_KEY } from './http';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

interface Campaign { id: string; funder: string; name: string; currency: string; budget: number; status: string; protocols: string[]; pricePerUnit: number; pricePer?: number; bufferBps: number }
interface Progress {
  settled: number; heldInBuffer: number; released: number; payable: number; remaining: number; settlements: number;
  impact: { pillar: string; unit: string; quantity: number; proofs: number }[];
  sdg: { sdgTarget: string; pillar: string; unit: string; quantity: number }[];
}
interface Settlement { proofId: string; serial: string; producerPseudonym: string; vintage: { start: string; end: string }; quantity: number; unit: string; amount: number; currency: string; txId: string }
interface Stamped { txId: string; timestamp: string }
interface Provenance {
  provenance: {
    proof: { id: string; serial: string; quantity: number; unit: string; issuedTxId: string; issuedAt: string; owner: string; parentId?: string };
    ancestors: { id: string; serial: string; quantity: number; issuedTxId: string; issuedAt: string }[];
    validation: { validator: string; quantity: number; txId: string; timestamp: string };
    verifications: ({ id: string; verifier: string; decision: string; assessedQuantity: number } & Stamped)[];
    claim: { id: string; credentialHash: string; submitter: string; quantity: number } & Stamped;
    protocol: { id: string; version: number; title: string; registered: { actor: string } & Stamped };
  };
  blocks: Record<string, number>;
}

const charts: Chart[] = [];
let settlements: Settlement[] = [];
let myIdentity = '';

const money = (minor: number, currency: string): string => `${(minor / 100).toFixed(2)} ${currency}`;
const short = (hex: string): string => `${hex.slice(0, 10)}…`;
const shortIdentity = (identity: string): string => /CN=([^,/:]+)/.exec(identity)?.[1] ?? identity.slice(0, 24);

async function showApp(): Promise<void> {
  const me = await api<{ identity: string; roles: string[] }>('/v1/roles/me');
  myIdentity = me.identity;
  $('#who').textContent = `${shortIdentity(me.identity)} — ${me.roles.join(', ') || 'no role'}`;
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  await showCampaigns();
  await route();
}

async function showCampaigns(): Promise<void> {
  const all = (await api<{ records: Campaign[] }>('/v1/campaigns?pageSize=100')).records;
  const records = $<HTMLInputElement>('#only-mine').checked ? all.filter((c) => c.funder === myIdentity) : all;
  const list = $('#campaigns');
  list.replaceChildren();
  if (records.length === 0) list.append(el('p', { class: 'muted' }, 'No campaign yet.'));
  for (const campaign of records) {
    const { progress } = await api<{ progress: Progress }>(`/v1/campaigns/${campaign.id}`);
    const settledPct = (100 * (progress.settled - progress.heldInBuffer)) / campaign.budget;
    const heldPct = (100 * progress.heldInBuffer) / campaign.budget;
    // widths through the CSSOM: the page's Content-Security-Policy refuses inline style attributes
    const settledBar = el('div', { class: 'settled' });
    settledBar.style.width = `${settledPct}%`;
    const heldBar = el('div', { class: 'held' });
    heldBar.style.width = `${heldPct}%`;
    const bar = el('div', { class: 'bar', role: 'progressbar', 'aria-valuenow': String(Math.round((100 * progress.settled) / campaign.budget)), 'aria-valuemin': '0', 'aria-valuemax': '100' },
      settledBar, heldBar);
    const open = el('a', { href: `#campaign/${campaign.id}`, class: 'open-campaign', 'data-campaign': campaign.id }, campaign.name);
    list.append(el('div', { class: 'campaign' },
      el('h3', {}, open, ` `, el('span', { class: 'muted' }, `(${campaign.status})`)),
      bar,
      el('p', { class: 'muted' }, `${money(progress.settled, campaign.currency)} settled of ${money(campaign.budget, campaign.currency)} — ${money(progress.heldInBuffer, campaign.currency)} held in buffer — ${money(progress.remaining, campaign.currency)} remaining`)));
  }
}

function drawCharts(progress: Progress): void {
  for (const chart of charts.splice(0)) chart.destroy();
  // One dataset per (pillar, unit): pillars are never stacked or summed together.
  charts.push(new Chart($<HTMLCanvasElement>('#pillar-chart'), {
    type: 'bar',
    data: {
      labels: progress.impact.map((i) => `pillar ${i.pillar} (${i.unit})`),
      datasets: [{ label: 'settled impact', data: progress.impact.map((i) => i.quantity), backgroundColor: '#16a34a' }],
    },
    options: { animation: false, responsive: false },
  }));
  const series = [...new Set(progress.sdg.map((s) => `${s.pillar}|${s.unit}`))];
  const targets = [...new Set(progress.sdg.map((s) => s.sdgTarget))];
  charts.push(new Chart($<HTMLCanvasElement>('#sdg-chart'), {
    type: 'bar',
    data: {
      labels: targets.map((t) => `SDG ${t}`),
      datasets: series.map((key, i) => {
        const [pillar, unit] = key.split('|');
        return { label: `pillar ${pillar} (${unit})`, data: targets.map((t) => progress.sdg.find((s) => s.sdgTarget === t && `${s.pillar}|${s.unit}` === key)?.quantity ?? 0), backgroundColor: ['#0ea5e9', '#f97316', '#a855f7'][i % 3] };
      }),
    },
    options: { animation: false, responsive: false },
  }));
}

function renderProofs(): void {
  const producer = $<HTMLInputElement>('#filter-producer').value.trim();
  const month = $<HTMLInputElement>('#filter-month').value.trim();
  const rows = settlements.filter((s) => s.producerPseudonym.startsWith(producer) && s.vintage.start.startsWith(month));
  $('#proofs tbody').replaceChildren(...rows.map((s) => el('tr', { 'data-proof': s.proofId },
    el('td', { class: 'mono', title: s.proofId }, s.serial),
    el('td', { class: 'mono', title: s.producerPseudonym }, short(s.producerPseudonym)),
    el('td', {}, `${s.vintage.start} – ${s.vintage.end}`),
    el('td', {}, `${s.quantity} ${s.unit}`),
    el('td', {}, money(s.amount, s.currency)),
    el('td', {}, el('a', { href: `#proof/${s.proofId}`, class: 'open-provenance' }, 'provenance')))));
}

async function showCampaign(id: string): Promise<void> {
  const { campaign, progress } = await api<{ campaign: Campaign; progress: Progress }>(`/v1/campaigns/${id}`);
  settlements = (await api<{ records: Settlement[] }>(`/v1/campaigns/${id}/settlements?pageSize=100`)).records;
  $('#campaign-view').hidden = false;
  $('#provenance-view').hidden = true;
  $('#campaign-title').textContent = campaign.name;
  $<HTMLInputElement>('#settle-campaign').value = campaign.id;
  const facts: [string, string][] = [
    ['Status', campaign.status], ['Budget', money(campaign.budget, campaign.currency)], ['Settled', money(progress.settled, campaign.currency)],
    ['Held in buffer', money(progress.heldInBuffer, campaign.currency)], ['Payable', money(progress.payable, campaign.currency)],
    ['Remaining', money(progress.remaining, campaign.currency)], ['Proofs settled', String(progress.settlements)],
    ['Price', `${money(campaign.pricePerUnit, campaign.currency)} per ${campaign.pricePer ?? 1} units`], ['Buffer share', `${campaign.bufferBps / 100} %`],
    ['Protocols', campaign.protocols.join(', ')],
  ];
  $('#campaign-summary').replaceChildren(el('dl', { class: 'summary' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-fact': k }, v)])));
  drawCharts(progress);
  renderProofs();
}

async function showProvenance(proofId: string): Promise<void> {
  const { provenance: p, blocks } = await api<Provenance>(`/v1/proofs/${proofId}/provenance`);
  $('#provenance-view').hidden = false;
  $('#provenance-proof').textContent = p.proof.id;
  const block = (txId: string): string => (blocks[txId] === undefined ? '?' : String(blocks[txId]));
  type Step = { id: string; kind: string; label: string; txId: string; timestamp: string; who: string };
  const origin = p.ancestors[p.ancestors.length - 1];
  const steps: Step[] = [
    { id: `proof-${p.proof.id}`, kind: 'proof', label: `proof ${p.proof.serial}\n${p.proof.quantity} ${p.proof.unit}`, txId: p.proof.issuedTxId, timestamp: p.proof.issuedAt, who: p.proof.owner },
    ...p.ancestors.map((a) => ({ id: `proof-${a.id}`, kind: 'proof', label: `split from ${a.serial}`, txId: a.issuedTxId, timestamp: a.issuedAt, who: '' })),
    { id: 'validation', kind: 'validation', label: `validation\n${p.validation.quantity}`, txId: p.validation.txId, timestamp: p.validation.timestamp, who: p.validation.validator },
    ...p.verifications.map((v) => ({ id: `verification-${v.id}`, kind: 'verification', label: `verification\n${v.decision} ${v.assessedQuantity}`, txId: v.txId, timestamp: v.timestamp, who: v.verifier })),
    { id: 'claim', kind: 'claim', label: `claim\ncredential ${short(p.claim.credentialHash)}`, txId: p.claim.txId, timestamp: p.claim.timestamp, who: p.claim.submitter },
    { id: 'protocol', kind: 'protocol', label: `protocol ${p.protocol.id} v${p.protocol.version}`, txId: p.protocol.registered.txId, timestamp: p.protocol.registered.timestamp, who: p.protocol.registered.actor },
  ];
  void origin;
  const chain = [`proof-${p.proof.id}`, ...p.ancestors.map((a) => `proof-${a.id}`)];
  const edges: { source: string; target: string }[] = [];
  for (let i = 1; i < chain.length; i++) edges.push({ source: chain[i - 1] as string, target: chain[i] as string });
  edges.push({ source: chain[chain.length - 1] as string, target: 'validation' });
  for (const v of p.verifications) edges.push({ source: 'validation', target: `verification-${v.id}` }, { source: `verification-${v.id}`, target: 'claim' });
  if (p.verifications.length === 0) edges.push({ source: 'validation', target: 'claim' });
  edges.push({ source: 'claim', target: 'protocol' });
  const colours: Record<string, string> = { proof: '#16a34a', validation: '#0ea5e9', verification: '#6366f1', claim: '#f97316', protocol: '#64748b' };
  cytoscape({
    container: $('#graph'),
    elements: [
      ...steps.map((s) => ({ data: { id: s.id, label: `${s.label}\ntx ${short(s.txId)} · block ${block(s.txId)}`, colour: colours[s.kind] ?? '#999' } })),
      ...edges.map((e, i) => ({ data: { id: `e${i}`, ...e } })),
    ],
    layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.1 },
    style: [
      { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'bottom', 'font-size': 10, 'background-color': 'data(colour)', width: 22, height: 22 } },
      { selector: 'edge', style: { width: 2, 'line-color': '#94a3b8', 'target-arrow-color': '#94a3b8', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
    ],
    userZoomingEnabled: false,
  });
  $('#provenance-steps tbody').replaceChildren(...steps.map((s) => el('tr', { 'data-step': s.kind },
    el('td', {}, s.kind), el('td', { class: 'mono tx' }, s.txId), el('td', { class: 'block' }, block(s.txId)), el('td', {}, s.timestamp), el('td', { title: s.who }, shortIdentity(s.who)))));
  $('#provenance-view').scrollIntoView();
}

async function route(): Promise<void> {
  const [kind, id] = location.hash.replace(/^#/, '').split('/');
  if (kind === 'campaign' && id) await showCampaign(id);
  if (kind === 'proof' && id) await showProvenance(id);
}

$('#login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $<HTMLInputElement>('#token').value.trim());
  showApp().catch((error: unknown) => {
    sessionStorage.removeItem(TOKEN_KEY);
    $('#login-error').textContent = error instanceof ApiFailure && error.status === 401 ? 'Unknown token.' : String(error);
  });
});
$('#logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  location.hash = '';
  location.reload();
});
$('#only-mine').addEventListener('change', () => { showCampaigns().catch((error: unknown) => { $('#login-error').textContent = String(error); }); });
setupSigning(async () => {
  await showCampaigns();
  await route();
});
for (const input of ['#filter-producer', '#filter-month']) $(input).addEventListener('input', renderProofs);
window.addEventListener('hashchange', () => { route().catch((error: unknown) => { $('#login-error').textContent = String(error); }); });
if (sessionStorage.getItem(TOKEN_KEY)) showApp().catch(() => sessionStorage.removeItem(TOKEN_KEY));
