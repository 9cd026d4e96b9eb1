/**
 * The funder dashboard in a real browser (Debian's Chromium driven by playwright-core) against
 * org 1's gateway on the real network: log in with the funder's token, open a campaign (name,
 * progress numbers, charts), open a proof's provenance graph (proof id, tx ids and blocks), and
 * save screenshots under build/test-artifacts/. The page is served under a strict
 * Content-Security-Policy and renders with no violation of it; the token never lands in
 * localStorage, a cookie or the URL. The funder (User5, who signs their own transactions) loads
 * their wallet's key into the page and settles, then retires, a proof signed in the browser with
 * WebCrypto (issue #18): the gateway holds no key of theirs.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { REPO_ROOT, userFiles } from '../helpers/network';
import { issueCommuteProof } from './funding';
import { activeProtocol, newIssuer, settled, type Committed } from './scenario';

const CHROMIUM = process.env.IL_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'build', 'test-artifacts');

describe('e2e: funder dashboard in Chromium', function () {
  this.timeout(240_000);
  let world: GatewayWorld;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let proof: { id: string; txId: string; blockNumber: number };
  /** A second proof, settled and retired from the page with the key held in the page. */
  let signedProof: { id: string; txId: string; blockNumber: number };
  /** Content-Security-Policy violations the page reported (console and securitypolicyviolation events). */
  const cspViolations: string[] = [];
  const campaignId = `dash-${randomBytes(4).toString('hex')}`;
  const campaignName = `Dashboard campaign ${campaignId}`;

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: scripts/test.sh installs Debian's chromium, or set IL_CHROMIUM`);
    world = await getGatewayWorld();
    baseUrl = world.gateways[0]?.running.url ?? '';
    const issuer = await newIssuer();
    const protocol = await activeProtocol(world, [issuer.controller]);
    proof = await issueCommuteProof(protocol, issuer, 18_500);
    signedProof = await issueCommuteProof(protocol, issuer, 4_200);
    const funder = world.client(1, 'User5');
    await settled(await funder.json<Committed>('POST', '/v1/campaigns', {
      id: campaignId, name: campaignName, protocols: [protocol.id], currency: 'EUR', budget: 50_000, pricePerUnit: 1, bufferBps: 1000,
      criteria: { periodStart: '2025-01-01', periodEnd: '2025-12-31' },
    }, 201));
    await settled(await funder.json<Committed>('POST', `/v1/campaigns/${campaignId}/settlements`, { proofId: proof.id }, 201));
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text()); });
    await page.addInitScript({ content: `window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));` });
  });

  async function reportedViolations(): Promise<string[]> {
    return [...cspViolations, ...(JSON.parse(String(await page.evaluate('JSON.stringify(window.__cspViolations)'))) as string[])];
  }

  /** The wallet files of a user of org 1 (certificate and PKCS#8 key), as `impact-ledger enroll` writes them. */
  function walletFiles(user: string): { cert: string; key: string } {
    const info = userFiles(world.net, 1, user);
    const key = readdirSync(info.keyDir).find((f) => f.endsWith('_sk'));
    if (key === undefined) throw new Error(`no key in ${info.keyDir}`);
    return { cert: info.certPath, key: path.join(info.keyDir, key) };
  }

  /** The signing steps the page showed for its last action: "step phase" in order. */
  async function signingProgress(): Promise<string[]> {
    return page.locator('#signing-progress li').evaluateAll((items) => items.map((li) => `${li.getAttribute('data-step') ?? ''} ${li.getAttribute('data-phase') ?? ''}`));
  }

  after(async () => {
    await browser?.close();
  });

  it('serves the page publicly, but refuses an unknown token', async () => {
    const response = await page.goto(`${baseUrl}/dashboard/`);
    expect(response?.status()).to.equal(200);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).to.contain("script-src 'self'").and.to.contain("frame-ancestors 'none'").and.not.to.contain('unsafe-inline');
    expect(headers).to.include({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    await page.fill('#token', 'not-a-token');
    await page.click('#login');
    await page.waitForSelector('#login-error:has-text("Unknown token")');
    expect(await page.isVisible('#app-view')).to.equal(false);
  });

  it("logs in with the funder's token and lists the campaign with its progress", async () => {
    await page.fill('#token', world.gateways[0]?.tokens.get('User5') ?? '');
    await page.click('#login');
    const link = page.locator(`a.open-campaign[data-campaign="${campaignId}"]`);
    await link.waitFor();
    expect(await link.textContent()).to.equal(campaignName);
    expect(await page.locator('#who').textContent()).to.contain('funder');
    const token = world.gateways[0]?.tokens.get('User5') ?? '';
    const stored = JSON.parse(String(await page.evaluate('JSON.stringify({ local: Object.entries(localStorage), cookie: document.cookie })'))) as { local: [string, string][]; cookie: string };
    expect(stored.local, 'nothing in localStorage').to.deep.equal([]);
    expect(stored.cookie).to.not.contain(token);
    expect(page.url()).to.not.contain(token);
  });

  it('opens the campaign: progress numbers and charts of impact per pillar and per SDG', async () => {
    await page.locator(`a.open-campaign[data-campaign="${campaignId}"]`).click();
    await page.waitForSelector(`#campaign-title:has-text("${campaignName}")`);
    const fact = (name: string) => page.locator(`dd[data-fact="${name}"]`).textContent();
    expect(await fact('Settled')).to.equal('185.00 EUR');
    expect(await fact('Held in buffer')).to.equal('18.50 EUR');
    expect(await fact('Remaining')).to.equal('315.00 EUR');
    expect(await fact('Proofs settled')).to.equal('1');
    const drawn = await Promise.all(['#pillar-chart', '#sdg-chart'].map((s) => page.locator(s).evaluate((canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL().length)));
    for (const size of drawn) expect(size, 'a chart was drawn').to.be.greaterThan(3000);
    await page.locator(`tr[data-proof="${proof.id}"]`).waitFor();
    await page.fill('#filter-month', '2024-01');
    expect(await page.locator('#proofs tbody tr').count(), 'the month filter hides the proof').to.equal(0);
    await page.fill('#filter-month', '2025-05');
    expect(await page.locator('#proofs tbody tr').count()).to.equal(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-campaign.png'), fullPage: true });
  });

  it("opens the proof's provenance graph with transaction ids and blocks", async () => {
    await page.locator(`tr[data-proof="${proof.id}"] a.open-provenance`).click();
    await page.waitForSelector(`#provenance-proof:has-text("${proof.id}")`);
    await page.waitForSelector('#graph canvas');
    const steps = await page.locator('#provenance-steps tbody tr').evaluateAll((rows) => rows.map((r) => ({
      kind: r.getAttribute('data-step'), tx: r.querySelector('.tx')?.textContent, block: r.querySelector('.block')?.textContent,
    })));
    expect(steps.map((s) => s.kind)).to.deep.equal(['proof', 'validation', 'verification', 'verification', 'claim', 'protocol']);
    expect(steps[0]).to.deep.equal({ kind: 'proof', tx: proof.txId, block: String(proof.blockNumber) });
    for (const step of steps) expect(step.block).to.match(/^[0-9]+$/);
    const file = path.join(ARTIFACTS, 'dashboard-provenance.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).to.be.greaterThan(10_000);
  });

  it("loads the funder's wallet into the page, refusing a key that is not the certificate's", async () => {
    const user5 = walletFiles('User5');
    await page.setInputFiles('#wallet-files', [walletFiles('User4').key, user5.cert]);
    await page.waitForSelector('#key-status:has-text("KEY_CERTIFICATE_MISMATCH")');
    await page.setInputFiles('#wallet-files', [user5.key, user5.cert]);
    await page.waitForSelector('#key-status[data-loaded="true"]');
    expect(await page.locator('#key-status').textContent()).to.contain('User5').and.to.contain('non-extractable');
  });

  it('settles a proof signed in the page: proposal and transaction signed with the key held there', async () => {
    await page.locator(`a.open-campaign[data-campaign="${campaignId}"]`).click();
    await page.waitForSelector(`#campaign-title:has-text("${campaignName}")`);
    expect(await page.inputValue('#settle-campaign')).to.equal(campaignId);
    await page.fill('#settle-proof', signedProof.id);
    await page.click('#settle');
    await page.waitForSelector('#signing-result[data-tx]', { timeout: 60_000 });
    expect(await page.locator('#signing-error').textContent()).to.equal('');
    expect(await signingProgress()).to.deep.equal(['proposal signed', 'proposal sent', 'transaction signed', 'transaction sent']);
    const txId = await page.getAttribute('#signing-result', 'data-tx');
    const settlement = await world.client(1, 'User5').json<{ proofId: string; txId: string }>('GET', `/v1/proofs/${signedProof.id}/settlement`, undefined, 200);
    expect(settlement).to.deep.include({ proofId: signedProof.id, txId });
    await page.waitForSelector('dd[data-fact="Proofs settled"]:has-text("2")');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-signed-settlement.png'), fullPage: true });
  });

  it('shows a refusal clearly: a transfer of settled units is refused at endorsement, after only the proposal was signed', async () => {
    await page.fill('#transfer-proof', signedProof.id);
    await page.fill('#transfer-owner', world.identity(1, 'User1'));
    await page.fill('#transfer-quantity', '100');
    await page.click('#transfer');
    await page.waitForSelector('#signing-error:has-text("PROOF_SETTLED")', { timeout: 60_000 });
    expect(await signingProgress()).to.deep.equal(['proposal signed']);
    expect(await page.locator('#signing-result').textContent()).to.equal('');
  });

  it('retires the settled proof for a beneficiary, signed in the page', async () => {
    await page.fill('#retire-proof', signedProof.id);
    await page.fill('#retire-quantity', '4200');
    await page.fill('#retire-beneficiary', 'City of Example');
    await page.fill('#retire-purpose', 'commuting emissions 2025');
    await page.click('#retire');
    await page.waitForSelector('#signing-result[data-tx]', { timeout: 60_000 });
    expect(await signingProgress()).to.deep.equal(['proposal signed', 'proposal sent', 'transaction signed', 'transaction sent']);
    const retired = await world.client(1, 'User5').json<{ status: string }>('GET', `/v1/proofs/${signedProof.id}`, undefined, 200);
    expect(retired.status).to.equal('retired');
  });

  it('rendered everything under its Content-Security-Policy without a single violation', async () => {
    expect(await reportedViolations()).to.deep.equal([]);
  });
});
