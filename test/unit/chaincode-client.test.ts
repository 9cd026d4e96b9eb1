/**
 * The gateway's typed chaincode client, against a fake Ledger: each method sends its transaction
 * (the name from the chaincode's one table) with the argument strings the contract expects,
 * parses the result with the chaincode's record parsers, and refuses a malformed record with a
 * 502 naming the transaction. And no route spells a `contract:Function` name itself.
 */
import { Transactions } from '@impact-ledger/chaincode/facts';
import { chaincodeClient, ledgerTransport, type ImpactChaincode, type Ledger } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const HEX = 'a'.repeat(64);

const protocol = {
  id: 'cookstoves', version: 2, status: 'active', ownerMsp: 'Org1MSP', category: 'energy', unit: 'tCO2e', pillar: 'environment',
  sdgTargets: ['7.1'], minProofLevel: 'L2', verifiers: ['x'], quorum: 1, minVerifierOrgs: 1, validators: ['y'], validatorFromOtherOrg: true, lifecycle: [],
};
const claim = {
  id: HEX, protocolId: 'cookstoves', protocolVersion: 2, category: 'energy', subjectPseudonym: 'p', periodStart: '2026-01-01', periodEnd: '2026-01-31',
  quantity: 5, status: 'submitted', submitter: 's', submitterMsp: 'Org1MSP', approvals: 0, rejections: 0,
};
const proof = {
  id: HEX, serial: 'S-1', claimId: HEX, protocolId: 'cookstoves', protocolVersion: 2, pillar: 'environment', unit: 'tCO2e', quantity: 5,
  unitRange: { first: 1, last: 5 }, owner: 'o', originId: HEX, depth: 0, status: 'active',
};
const campaign = {
  id: 'c', name: 'Cookstoves 2026', protocols: [], currency: 'EUR', budget: 500, pricePerUnit: 10, bufferBps: 1000, criteria: {}, shards: 4, funder: 'f', status: 'open',
};
const flag = { id: HEX, kind: 'credential', subject: HEX, reason: 'r', active: true, raised: {}, cascadeDone: true, claimsMarked: 1, proofsMarked: 0 };

interface Call { readonly kind: 'evaluate' | 'submit'; readonly user: string; readonly fqfn: string; readonly args: readonly string[]; readonly transient?: Readonly<Record<string, Uint8Array>> }

/** A Ledger answering `answer` to every call and recording the calls. */
function fakeLedger(answer: unknown, calls: Call[]): Ledger {
  const fail = (): never => { throw new Error('not in the fake ledger'); };
  return {
    channel: 'c', chaincode: 'cc',
    evaluate: async (user, fqfn, args) => { calls.push({ kind: 'evaluate', user, fqfn, args }); return answer; },
    submit: async (user, fqfn, args, onPrepared, transient) => {
      calls.push({ kind: 'submit', user, fqfn, args, ...(transient === undefined ? {} : { transient }) });
      onPrepared?.({ txId: 'tx-1', transaction: 'AA==' });
      return { result: answer, txId: 'tx-1', blockNumber: 7 };
    },
    recover: fail, waitForBlock: fail, blockOf: fail, rawBlock: fail, ping: fail, chaincodeEvents: fail, close: () => undefined,
  };
}

function clientAnswering(answer: unknown): { chaincode: ImpactChaincode; calls: Call[]; prepared: string[] } {
  const calls: Call[] = [];
  const prepared: string[] = [];
  return { chaincode: chaincodeClient(ledgerTransport(fakeLedger(answer, calls), 'alice', (p) => { prepared.push(p.txId); })), calls, prepared };
}

/** Each method, the answer it gets, and the call it must make. */
const CASES: readonly { name: string; answer: unknown; call: (c: ImpactChaincode) => Promise<unknown>; kind: 'evaluate' | 'submit'; fqfn: string; args: string[] }[] = [
  { name: 'protocols.get', answer: protocol, call: (c) => c.protocols.get('cookstoves', 2), kind: 'evaluate', fqfn: 'protocols:Get', args: ['cookstoves', '2'] },
  { name: 'protocols.list', answer: { records: [protocol], bookmark: 'b' }, call: (c) => c.protocols.list(25, ''), kind: 'evaluate', fqfn: 'protocols:List', args: ['25', ''] },
  { name: 'protocols.listVersions', answer: { records: [protocol], bookmark: '' }, call: (c) => c.protocols.listVersions('cookstoves', 25, ''), kind: 'evaluate', fqfn: 'protocols:ListVersions', args: ['cookstoves', '25', ''] },
  { name: 'proofs.compactTotals', answer: { pillar: 'B', unit: 'gCO2e', entriesFolded: 3, more: false }, call: (c) => c.proofs.compactTotals('B', 'gCO2e', undefined), kind: 'submit', fqfn: 'proofs:CompactTotals', args: ['B', 'gCO2e', ''] },
  { name: 'campaigns.list', answer: { records: [], bookmark: '' }, call: (c) => c.campaigns.list(10, 'bm'), kind: 'evaluate', fqfn: 'campaigns:List', args: ['10', 'bm'] },
  { name: 'campaigns.exportRows', answer: { records: [], bookmark: '' }, call: (c) => c.campaigns.exportRows('c1', '2026-03', 100, ''), kind: 'evaluate', fqfn: 'campaigns:ExportRows', args: ['c1', '2026-03', '100', ''] },
  { name: 'roles.history', answer: { records: [], bookmark: '' }, call: (c) => c.roles.history('Org1MSP::x', 5, ''), kind: 'evaluate', fqfn: 'roles:History', args: ['Org1MSP::x', '5', ''] },
  { name: 'protocols.register', answer: protocol, call: (c) => c.protocols.register({ id: 'cookstoves', version: 2 }), kind: 'submit', fqfn: 'protocols:Register', args: ['{"id":"cookstoves","version":2}'] },
  { name: 'protocols.transition', answer: protocol, call: (c) => c.protocols.transition('cookstoves', 2, 'Suspend'), kind: 'submit', fqfn: 'protocols:Suspend', args: ['cookstoves', '2'] },
  { name: 'claims.get', answer: claim, call: (c) => c.claims.get(HEX), kind: 'evaluate', fqfn: 'claims:Get', args: [HEX] },
  { name: 'claims.list', answer: { records: [claim], bookmark: '' }, call: (c) => c.claims.list({ status: 'submitted' }, 10, 'bm'), kind: 'evaluate', fqfn: 'claims:List', args: ['{"status":"submitted"}', '10', 'bm'] },
  { name: 'claims.verifications', answer: [], call: (c) => c.claims.verifications(HEX), kind: 'evaluate', fqfn: 'claims:Verifications', args: [HEX] },
  { name: 'claims.withdraw', answer: claim, call: (c) => c.claims.withdraw(HEX), kind: 'submit', fqfn: 'claims:Withdraw', args: [HEX] },
  { name: 'claims.verify', answer: claim, call: (c) => c.claims.verify(HEX, 'approve', 5, HEX), kind: 'submit', fqfn: 'claims:Verify', args: [HEX, 'approve', '5', HEX] },
  { name: 'claims.validate', answer: proof, call: (c) => c.claims.validate(HEX, 5), kind: 'submit', fqfn: 'claims:Validate', args: [HEX, '5'] },
  { name: 'proofs.listByProtocol', answer: { records: [proof] }, call: (c) => c.proofs.listByProtocol('cookstoves', 2, 25, ''), kind: 'evaluate', fqfn: 'proofs:ListByProtocol', args: ['cookstoves', '2', '25', ''] },
  { name: 'proofs.transfer', answer: { moved: proof }, call: (c) => c.proofs.transfer(HEX, 'bob', 3, { amount: 100, currency: 'EUR' }), kind: 'submit', fqfn: 'proofs:Transfer', args: [HEX, 'bob', '3', '{"amount":100,"currency":"EUR"}'] },
  { name: 'proofs.transfer without price', answer: { moved: proof, parent: proof, remainder: proof }, call: (c) => c.proofs.transfer(HEX, 'bob', 3, undefined), kind: 'submit', fqfn: 'proofs:Transfer', args: [HEX, 'bob', '3', ''] },
  { name: 'proofs.retire', answer: { moved: proof }, call: (c) => c.proofs.retire(HEX, 2, 'b', 'p'), kind: 'submit', fqfn: 'proofs:Retire', args: [HEX, '2', 'b', 'p'] },
  { name: 'proofs.totals', answer: { filter: {}, totals: [] }, call: (c) => c.proofs.totals({ pillar: 'environment' }), kind: 'evaluate', fqfn: 'proofs:Totals', args: ['{"pillar":"environment"}'] },
  { name: 'revocation.get', answer: flag, call: (c) => c.revocation.get(HEX), kind: 'evaluate', fqfn: 'revocation:Get', args: [HEX] },
  { name: 'revocation.flag', answer: { flag, claims: [], proofs: [] }, call: (c) => c.revocation.flag('issuer', 'did:web:x', 'r'), kind: 'submit', fqfn: 'revocation:Flag', args: ['issuer', 'did:web:x', 'r'] },
  { name: 'roles.whoAmI', answer: { identity: 'i', mspId: 'Org1MSP', operator: false, roles: ['submitter'] }, call: (c) => c.roles.whoAmI(), kind: 'evaluate', fqfn: 'roles:WhoAmI', args: [] },
  { name: 'campaigns.setBudget', answer: campaign, call: (c) => c.campaigns.setBudget('c', 500), kind: 'submit', fqfn: 'campaigns:SetBudget', args: ['c', '500'] },
];

function routeFiles(): string[] {
  const dir = path.join(REPO, 'gateway', 'src', 'routes');
  return readdirSync(dir).filter((file) => file.endsWith('.ts')).map((file) => path.join(dir, file));
}

async function refusal(promise: Promise<unknown>): Promise<{ status?: unknown; code?: unknown; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status?: unknown; code?: unknown; message: string };
  }
  throw new Error('expected a refusal');
}

describe('typed chaincode client', () => {
  for (const c of CASES) {
    it(`${c.name} sends ${c.fqfn} with its argument strings`, async () => {
      const { chaincode, calls } = clientAnswering(c.answer);
      await c.call(chaincode);
      expect(calls).to.deep.equal([{ kind: c.kind, user: 'alice', fqfn: c.fqfn, args: c.args }]);
    });
  }

  it('names only transactions of the chaincode table', () => {
    for (const c of CASES) {
      const [contract, fn] = c.fqfn.split(':') as [keyof typeof Transactions, string];
      expect(Transactions[contract] as readonly string[], c.fqfn).to.include(fn);
    }
  });

  it('returns the parsed record, and a submission its txId and block', async () => {
    const read = clientAnswering(protocol);
    expect(await read.chaincode.protocols.get('cookstoves', 2)).to.deep.equal(protocol);
    const write = clientAnswering(proof);
    expect(await write.chaincode.claims.validate(HEX, 5)).to.deep.equal({ result: proof, txId: 'tx-1', blockNumber: 7 });
    expect(write.prepared, 'the idempotency recorder hears of the endorsed transaction').to.deep.equal(['tx-1']);
  });

  it('sends a claim submission\'s credential as transient data only', async () => {
    const { chaincode, calls } = clientAnswering(claim);
    const credential = { id: 'urn:vc:1', credentialSubject: { amount: 5 } };
    await chaincode.claims.submit({ protocolId: 'cookstoves', protocolVersion: 2, proofLevel: 'L2', evidenceHashes: [HEX] }, 'credential', credential);
    expect(calls).to.have.length(1);
    expect(calls[0]?.fqfn).to.equal('claims:Submit');
    expect(calls[0]?.args).to.deep.equal([JSON.stringify({ protocolId: 'cookstoves', protocolVersion: 2, proofLevel: 'L2', evidenceHashes: [HEX] })]);
    expect(Buffer.from(calls[0]?.transient?.credential ?? new Uint8Array()).toString('utf8')).to.equal(JSON.stringify(credential));
  });

  it('turns a chaincode page into records and a bookmark (\'\' when absent)', async () => {
    const { chaincode } = clientAnswering({ records: [proof] });
    const page = await chaincode.proofs.listByOwner('o', 25, '');
    expect(page.records).to.deep.equal([proof]);
    expect(page.bookmark).to.equal('');
  });

  it('refuses a malformed record with a 502 naming the transaction and the field', async () => {
    const { chaincode } = clientAnswering({ ...protocol, quorum: 'two' });
    const error = await refusal(chaincode.protocols.get('cookstoves', 2));
    expect(error.status).to.equal(502);
    expect(error.code).to.equal('FABRIC_ERROR');
    expect(error.message).to.contain('protocols:Get').and.contain('quorum');
  });

  it('refuses a malformed record inside a list, a page, a submission result and a composite answer', async () => {
    const badClaim = { ...claim, quantity: '5' };
    for (const [answer, call] of [
      [[claim, badClaim], (c: ImpactChaincode) => c.claims.verifications(HEX)],
      [{ records: [badClaim], bookmark: '' }, (c: ImpactChaincode) => c.claims.list({}, 25, '')],
      [{ records: 'none' }, (c: ImpactChaincode) => c.claims.list({}, 25, '')],
      [badClaim, (c: ImpactChaincode) => c.claims.withdraw(HEX)],
      [{ flag: { ...flag, cascadeDone: 'yes' }, claims: [], proofs: [] }, (c: ImpactChaincode) => c.revocation.continueCascade(HEX)],
      [{ identity: 'i', mspId: 'm', operator: 'no', roles: [] }, (c: ImpactChaincode) => c.roles.whoAmI()],
      [{ proofId: HEX, movedId: HEX }, (c: ImpactChaincode) => c.proofs.retire(HEX, 1, 'b', 'p')],
      [{ moved: proof, remainder: { ...proof, quantity: -0.5 } }, (c: ImpactChaincode) => c.proofs.transfer(HEX, 'bob', 1, undefined)],
      ['not an object', (c: ImpactChaincode) => c.proofs.provenance(HEX)],
    ] as const) {
      const error = await refusal(call(clientAnswering(answer).chaincode));
      expect(error.status, JSON.stringify(answer)).to.equal(502);
      expect(error.code).to.equal('FABRIC_ERROR');
    }
  });

  it('no route file spells a contract:Function transaction name', () => {
    const offenders: string[] = [];
    // a name put together at run time: a quote, a contract's name, a colon
    const contractPrefix = new RegExp(`['"\`](${Object.keys(Transactions).join('|')}):`);
    for (const file of routeFiles()) {
      readFileSync(file, 'utf8').split('\n').forEach((line, index) => {
        const code = line.trim();
        if (code.startsWith('*') || code.startsWith('/*') || code.startsWith('//')) return;
        if (/['"`][a-z]+:[A-Z][A-Za-z]*['"`]/.test(code) || contractPrefix.test(code)) offenders.push(`${path.basename(file)}:${index + 1}: ${code}`);
      });
    }
    expect(offenders).to.deep.equal([]);
  });
});
