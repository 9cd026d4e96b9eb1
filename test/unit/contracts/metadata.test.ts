import '../../helpers/quiet-logs';
/**
 * The contract metadata (what fabric-shim derives from the decorators and GetMetadata serves):
 * the transactions of every contract are exactly the chaincode's transaction table (the names
 * the gateway's typed client calls), every transaction declares its return type, every type it
 * names is described, and every record the ledger holds is described. Naming object types in
 * `@Returns` leaves the bytes a client receives as they were: JSON text of the record.
 */
import { BenchContract } from '@impact-ledger/chaincode';
import { Transactions } from '@impact-ledger/chaincode/facts';
import { expect } from 'chai';
import { buildCast } from '../../helpers/cast';
import { FakeNetwork } from '../../helpers/fake-fabric';

interface Schema { type?: string; $ref?: string; items?: Schema; properties?: Record<string, Schema>; additionalProperties?: Schema }
interface FullMetadata {
  contracts: Record<string, { name: string; transactions: { name: string; returns?: Schema }[] }>;
  components: { schemas: Record<string, Schema> };
}

/** Every record type the ledger holds and answers, with a field that identifies it. */
const RECORDS: Readonly<Record<string, string>> = {
  Claim: 'id', Verification: 'id', ProofOfImpact: 'id', ProtocolRecord: 'id', FlagRecord: 'id', Campaign: 'id', Settlement: 'proofId', RoleRecord: 'identity',
};

function metadata(): FullMetadata {
  return new FakeNetwork([BenchContract]).metadata() as unknown as FullMetadata;
}

/** The described types a schema refers to. */
function refsOf(schema: Schema | undefined): string[] {
  if (schema === undefined) return [];
  const own = schema.$ref === undefined ? [] : [schema.$ref.replace('#/components/schemas/', '')];
  return [...own, ...refsOf(schema.items), ...refsOf(schema.additionalProperties), ...Object.values(schema.properties ?? {}).flatMap(refsOf)];
}

describe('contract metadata', () => {
  it('publishes exactly the transactions of the chaincode table, contract by contract', () => {
    const published = Object.fromEntries(Object.values(metadata().contracts)
      .filter((contract) => contract.name !== 'org.hyperledger.fabric')
      .map((contract) => [contract.name, contract.transactions.map((t) => t.name).sort()]));
    const table = Object.fromEntries(Object.entries(Transactions).map(([contract, fns]) => [contract, [...fns].sort()]));
    expect(published).to.deep.equal(table);
  });

  it('every transaction declares its return type, and every type it names is described', () => {
    const { contracts, components } = metadata();
    const missing: string[] = [];
    for (const contract of Object.values(contracts).filter((c) => c.name !== 'org.hyperledger.fabric')) {
      for (const tx of contract.transactions) {
        const schema = tx.returns;
        if (schema === undefined || (schema.type === undefined && schema.$ref === undefined)) missing.push(`${contract.name}:${tx.name} declares no return type`);
        for (const ref of refsOf(schema)) if (components.schemas[ref] === undefined) missing.push(`${contract.name}:${tx.name} returns undescribed ${ref}`);
      }
    }
    for (const [name, schema] of Object.entries(components.schemas)) {
      for (const ref of refsOf(schema)) if (components.schemas[ref] === undefined) missing.push(`${name} refers to undescribed ${ref}`);
    }
    expect(missing).to.deep.equal([]);
  });

  it('the records of the ledger are described, field by field', () => {
    const { components } = metadata();
    for (const [record, key] of Object.entries(RECORDS)) {
      expect(components.schemas[record], record).to.not.equal(undefined);
      expect(Object.keys(components.schemas[record]?.properties ?? {}), record).to.include(key);
    }
  });

  it('the record transactions name their records (not `string`)', () => {
    const returns = (fqfn: string): Schema | undefined => {
      const [contract, fn] = fqfn.split(':');
      return metadata().contracts[contract ?? '']?.transactions.find((t) => t.name === fn)?.returns;
    };
    expect(refsOf(returns('claims:Get'))).to.deep.equal(['Claim']);
    expect(refsOf(returns('claims:Validate'))).to.deep.equal(['ProofOfImpact']);
    expect(returns('claims:Verifications')?.type).to.equal('array');
    expect(refsOf(returns('claims:Verifications'))).to.deep.equal(['Verification']);
    expect(refsOf(returns('protocols:List'))).to.deep.equal(['ProtocolPage']);
  });

  it('a transaction naming an object type still answers the record\'s JSON text', async () => {
    const c = await buildCast();
    const ping = await c.net.invoke<{ ok: boolean }>(c.op1, 'system:Ping');
    expect(ping.ok, ping.message).to.equal(true);
    expect(ping.result.ok).to.equal(true);
    const whoAmI = await c.net.invoke<{ operator: boolean; roles: string[] }>(c.op1, 'roles:WhoAmI');
    expect(whoAmI.result.operator).to.equal(true);
    expect(whoAmI.result.roles).to.be.an('array');
  });

  it('GetMetadata (what clients and the fuzzer read) serves the described records', async () => {
    const c = await buildCast();
    const served = await c.net.invoke<FullMetadata>(c.op1, 'org.hyperledger.fabric:GetMetadata');
    expect(served.ok, served.message).to.equal(true);
    expect(Object.keys(served.result.components.schemas)).to.include.members(Object.keys(RECORDS));
    expect(refsOf(served.result.contracts.claims?.transactions.find((t) => t.name === 'Get')?.returns)).to.deep.equal(['Claim']);
  });
});
