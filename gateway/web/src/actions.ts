/**
 * The funder's actions signed in this browser (issue #18): settle a proof against a campaign,
 * transfer a proof, retire a proof. The gateway does not hold the funder's key: it answers 202 with
 * the bytes to sign, and this page checks them (digest, creator = the loaded certificate,
 * transaction name and the values typed here), signs them with WebCrypto ECDSA P-256 (DER, low S)
 * and follows the steps until the final answer (../../src/signing/web-client.ts, unit-tested in Node). The key comes from the user's wallet files, is imported non-extractable and lives in this
 * tab's memory only: never stored, never sent; reloading or logging out forgets it.
 */
import { SigningRefused, followSigningSteps, signerFromWallet, type SigningExpectation, type SigningProgress, type WebSigner } from '../../src/signing/web-client.js';
import { $, el } from './dom';
import { postJson } from './http';

let signer: WebSigner | undefined;

interface Action {
  readonly label: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** The chaincode transaction the route runs and the argument values it must carry. */
  readonly expect: SigningExpectation;
}

const value = (selector: string): string => $<HTMLInputElement>(selector).value.trim();
const quantity = (selector: string): number => Number.parseInt(value(selector), 10);
const short = (hex: string): string => `${hex.slice(0, 12)}…`;

function problemText(status: number, body: unknown): string {
  const problem = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof problem['code'] === 'string' ? problem['code'] : `HTTP ${status}`;
  const detail = typeof problem['detail'] === 'string' ? problem['detail'] : typeof problem['title'] === 'string' ? problem['title'] : '';
  return `${code}: ${detail}`;
}

function showProgress(progress: SigningProgress): void {
  const text = `${progress.step} ${progress.phase === 'signed' ? 'checked and signed here' : 'accepted by the gateway'} — ${progress.transaction}, tx ${short(progress.transactionId)}`;
  $('#signing-progress').append(el('li', { 'data-step': progress.step, 'data-phase': progress.phase, 'data-tx': progress.transactionId }, text));
}

async function run(action: Action, onCommitted: () => Promise<void>): Promise<void> {
  const error = $('#signing-error');
  const result = $('#signing-result');
  $('#signing-progress').replaceChildren();
  error.textContent = '';
  result.textContent = `${action.label}…`;
  result.removeAttribute('data-tx');
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('#signing-view button')];
  for (const button of buttons) button.disabled = true;
  try {
    const first = await postJson(action.path, action.body, { 'idempotency-key': crypto.randomUUID() });
    let answer = first;
    if (first.status === 202) {
      if (signer === undefined) throw new SigningRefused('WALLET_INVALID', 'the gateway asks you to sign this action: load your wallet key first (nothing was signed or sent)');
      answer = await followSigningSteps(first, { signer, expect: action.expect, post: (path, body) => postJson(path, body), onProgress: showProgress });
    }
    if (answer.status >= 300) {
      result.textContent = '';
      error.textContent = `${action.label} refused — ${problemText(answer.status, answer.body)}`;
      return;
    }
    const committed = answer.body as { txId?: unknown; blockNumber?: unknown };
    const txId = typeof committed.txId === 'string' ? committed.txId : '';
    result.textContent = `${action.label}: committed in block ${String(committed.blockNumber)} (tx ${txId})`;
    result.setAttribute('data-tx', txId);
    await onCommitted();
  } catch (caught) {
    result.textContent = '';
    error.textContent = caught instanceof SigningRefused
      ? `${action.label} not signed — ${caught.code}: ${caught.message}`
      : `${action.label} failed — ${caught instanceof Error ? caught.message : String(caught)}`;
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

async function loadWallet(files: FileList | null): Promise<void> {
  const status = $('#key-status');
  signer = undefined;
  status.removeAttribute('data-loaded');
  try {
    const texts = await Promise.all([...(files ?? [])].map((file) => file.text()));
    const loaded = await signerFromWallet(texts);
    signer = loaded;
    status.textContent = `Key loaded (non-extractable, kept in this tab's memory only) for ${subjectOf(loaded.certificatePem)}.`;
    status.setAttribute('data-loaded', 'true');
    status.classList.remove('error');
  } catch (caught) {
    status.textContent = caught instanceof SigningRefused ? `${caught.code}: ${caught.message}` : String(caught);
    status.classList.add('error');
  }
}

/**
 * The certificate's subject CN, for display: the last commonName (OID 2.5.4.3) of the DER, as the
 * issuer's comes before the subject's. The key itself never leaves WebCrypto.
 */
function subjectOf(certificatePem: string): string {
  const der = atob(certificatePem.replace(/-----[A-Z ]+-----|\s/g, ''));
  const names = [...der.matchAll(/\x06\x03\x55\x04\x03[\x0c\x13]([\s\S])/g)].map((m) => der.slice(m.index + 7, m.index + 7 + (m[1]?.charCodeAt(0) ?? 0)));
  return names.at(-1) ?? 'your certificate';
}

function onSubmit(form: string, action: () => Action, onCommitted: () => Promise<void>): void {
  $(form).addEventListener('submit', (event) => {
    event.preventDefault();
    void run(action(), onCommitted);
  });
}

/** Wires the wallet input and the three action forms; `onCommitted` refreshes the views. */
export function setupSigning(onCommitted: () => Promise<void>): void {
  $<HTMLInputElement>('#wallet-files').addEventListener('change', (event) => {
    void loadWallet((event.target as HTMLInputElement).files);
  });
  onSubmit('#settle-form', () => {
    const campaign = value('#settle-campaign');
    const proofId = value('#settle-proof');
    return { label: 'Settlement', path: `/v1/campaigns/${encodeURIComponent(campaign)}/settlements`, body: { proofId }, expect: { transaction: 'campaigns:Settle', arguments: [campaign, proofId] } };
  }, onCommitted);
  onSubmit('#transfer-form', () => {
    const proofId = value('#transfer-proof');
    const newOwner = value('#transfer-owner');
    const units = quantity('#transfer-quantity');
    return { label: 'Transfer', path: `/v1/proofs/${encodeURIComponent(proofId)}/transfers`, body: { newOwner, quantity: units }, expect: { transaction: 'proofs:Transfer', arguments: [proofId, newOwner, String(units)] } };
  }, onCommitted);
  onSubmit('#retire-form', () => {
    const proofId = value('#retire-proof');
    const units = quantity('#retire-quantity');
    const beneficiary = value('#retire-beneficiary');
    const purpose = value('#retire-purpose');
    return { label: 'Retirement', path: `/v1/proofs/${encodeURIComponent(proofId)}/retirements`, body: { quantity: units, beneficiary, purpose }, expect: { transaction: 'proofs:Retire', arguments: [proofId, String(units), beneficiary, purpose] } };
  }, onCommitted);
}
