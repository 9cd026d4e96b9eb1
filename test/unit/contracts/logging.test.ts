/**
 * The chaincode's logging shortcut (chaincode/src/logging.ts): a fabric-shim logger below its
 * level no longer formats messages it drops, and still writes the ones at its level.
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';
import '@impact-ledger/chaincode';

const fromShim = createRequire(require.resolve('fabric-shim'));
const shimLogger = fromShim('./lib/logger') as { getLogger(name: string): { info(m: string): void; debug(m: string): void; level: string; transports: { log?: unknown }[] } };
const { Writable } = fromShim('stream') as typeof import('node:stream');
const winston = fromShim('winston') as { transports: { Stream: new (o: { stream: NodeJS.WritableStream }) => unknown } };

describe('chaincode logging', () => {
  it('formats and writes a message at the level, drops one below it before any formatting', async () => {
    const logger = shimLogger.getLogger(`logging-test-${Date.now()}`);
    logger.level = 'info';
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
    (logger as unknown as { add(t: unknown): void }).add(new winston.transports.Stream({ stream: sink }));
    let formatted = 0;
    const costly = { toString: () => { formatted++; return 'costly'; } };
    logger.debug(costly as unknown as string);
    logger.info('kept');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.some((l) => l.includes('kept'))).to.equal(true);
    expect(lines.some((l) => l.includes('costly'))).to.equal(false);
    expect(formatted).to.equal(0);
  });
});
