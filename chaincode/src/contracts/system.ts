/** Contract `system`: liveness of the chaincode. */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { CHAINCODE, ImpactContract, respond } from './base';

/** Contract `system`. */
@Info({ title: 'system', description: 'Liveness and version of the impact-ledger chaincode' })
export class SystemContract extends ImpactContract {
  constructor() {
    super('system');
  }

  /** `{"chaincode":"impact-ledger","ok":true,"version":…}`; needs no role. */
  @Transaction(false)
  @Returns('string')
  async Ping(_ctx: Context): Promise<string> {
    return respond({ ok: true, chaincode: CHAINCODE.name, version: CHAINCODE.version });
  }
}
