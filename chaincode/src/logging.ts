/**
 * fabric-shim and fabric-contract-api log through winston, which runs a logger's whole format
 * chain (timestamp, metadata, colours, printf) on every message before its transport drops those
 * below the level. The shim writes a debug line for each message it exchanges with the peer, one
 * per state read or write: at the default `info` level that formatting, thrown away, was 14% of a
 * chaincode server's CPU when seeding proofs (profile in bench/README.md). This makes winston's
 * loggers drop a message below their level before formatting it; what is logged is unchanged.
 * Loaded first by the chaincode's entry point; affects only logging, never a transaction.
 */
import { createRequire } from 'node:module';

/** The members of winston's Logger class this relies on. */
interface WinstonLoggerClass {
  prototype: {
    write(chunk: unknown, ...rest: unknown[]): boolean;
    isLevelEnabled(level: string): boolean;
    [key: symbol]: unknown;
  };
}

const LEVEL = Symbol.for('level');
const PATCHED = Symbol.for('impact-ledger.logging.levelFirst');

/** The winston the shim itself uses (not a dependency of ours: resolved from fabric-shim). */
function shimWinstonLogger(): WinstonLoggerClass {
  const fromShim = createRequire(require.resolve('fabric-shim'));
  return fromShim('winston/lib/winston/logger') as WinstonLoggerClass;
}

/** Idempotent: loggers drop messages below their level before formatting them. */
export function dropDisabledLogMessagesEarly(Logger: WinstonLoggerClass = shimWinstonLogger()): void {
  const proto = Logger.prototype;
  if (proto[PATCHED]) return;
  const write = proto.write;
  proto.write = function levelFirst(this: typeof proto, chunk: unknown, ...rest: unknown[]): boolean {
    const level = typeof chunk === 'object' && chunk !== null ? ((chunk as Record<symbol, unknown>)[LEVEL] ?? (chunk as { level?: unknown }).level) : undefined;
    if (typeof level === 'string' && !this.isLevelEnabled(level)) {
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    }
    return write.call(this, chunk, ...rest);
  };
  proto[PATCHED] = true;
}
