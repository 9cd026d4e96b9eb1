/** Contract `system`: liveness of the chaincode, and the network's pseudonym secret (set once). */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { Answers } from './metadata';
import { ChaincodeEvents } from '../events';
import { callerOf, CHAINCODE, emit, ImpactContract, respond } from './base';
import { setPseudonymSecret } from './pseudonym-secret';

/** Contract `system`. */
@Info({ title: 'system', description: 'Liveness and version of the impact-ledger chaincode; the pseudonym secret' })
export class SystemContract extends ImpactContract {
  constructor() {
    super('system');
  }

  /** `{"chaincode":"impact-ledger","ok":true,"version":…}`; needs no role. */
  @Transaction(false)
  @Returns(Answers.Ping)
  async Ping(_ctx: Context): Promise<string> {
    return respond({ ok: true, chaincode: CHAINCODE.name, version: CHAINCODE.version });
  }

  /**
   * Sets the network's pseudonym secret, given in the transient data (`pseudonymSecret`), in the
   * member organisations' private data collection: once, by an operator, when the network is
   * created (scripts/network.sh). Refuses a second setting (PSEUDONYM_SECRET_SET).
   */
  @Transaction()
  @Returns(Answers.SecretSet)
  async SetPseudonymSecret(ctx: Context): Promise<string> {
    const caller = callerOf(ctx);
    await setPseudonymSecret(ctx, caller);
    emit(ctx, ChaincodeEvents.PseudonymSecretSet, { operator: caller.identity });
    return respond({ set: true });
  }
}
