/** Who did a state change, in which transaction, when. */

/** The actor, transaction id and transaction timestamp (ISO) of a state change. */
export interface Stamp {
  actor: string;
  txId: string;
  timestamp: string;
}
