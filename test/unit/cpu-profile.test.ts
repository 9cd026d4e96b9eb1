/**
 * The bench's V8 CPU profile summary (bench/lib/cpu-profile.ts): self time by function and by
 * package, from the samples and their time deltas.
 */
import { expect } from 'chai';
import { moduleOf, shortUrl, summariseProfile, type CpuProfile } from '../../bench/lib/cpu-profile';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

describe('bench CPU profile summary', () => {
  it('adds up each function\'s self time and groups it by package or project file', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('handle', 'file:///repo/node_modules/fastify/lib/route.js', 9) },
        { id: 3, callFrame: frame('sign', 'file:///repo/node_modules/@hyperledger/fabric-gateway/dist/x.js', 4) },
        { id: 4, callFrame: frame('journal', 'file:///repo/gateway/dist/idempotency.js', 99) },
        { id: 5, callFrame: frame('(garbage collector)', '') },
        { id: 6, callFrame: frame('write', 'node:internal/fs/utils', 1) },
      ],
      samples: [2, 3, 3, 4, 5, 2, 6, 3],
      timeDeltas: [1000, 2000, 2000, 1000, 500, 1000, 500, 2000],
    };
    const summary = summariseProfile(profile, { repoRoot: '/repo' });
    expect(summary.sampledMs).to.equal(10);
    expect(summary.byModule.map((m) => [m.name, m.ms])).to.deep.equal([
      ['@hyperledger/fabric-gateway', 6], ['fastify', 2], ['gateway/dist/idempotency.js', 1], ['(garbage collector)', 0.5], ['node (built-in modules)', 0.5],
    ]);
    expect(summary.byFunction[0]).to.deep.equal({ name: 'sign @hyperledger/fabric-gateway/dist/x.js:5', ms: 6, share: 0.6 });
    expect(summariseProfile(profile, { top: 2 }).byFunction).to.have.length(2);
  });

  it('shortens URLs to the package path or the path below the repository', () => {
    expect(shortUrl('file:///a/b/node_modules/x/node_modules/@s/p/i.js', '/a/b')).to.equal('@s/p/i.js');
    expect(shortUrl('file:///a/b/gateway/dist/app.js', '/a/b')).to.equal('gateway/dist/app.js');
    expect(moduleOf('file:///r/node_modules/@s/p/i.js', '/r')).to.equal('@s/p');
    expect(moduleOf('file:///r/node_modules/pino/lib/x.js', '/r')).to.equal('pino');
    expect(moduleOf('file:///r/gateway/dist/app.js', '/r')).to.equal('gateway/dist/app.js');
    expect(moduleOf('file:///elsewhere/app.js', '/r')).to.equal('/elsewhere/app.js');
    expect(moduleOf('node:internal/fs/utils', '/r')).to.equal('node (built-in modules)');
  });

  it('says nothing was sampled rather than dividing by zero', () => {
    const summary = summariseProfile({ nodes: [], samples: [], timeDeltas: [] });
    expect(summary).to.deep.equal({ sampledMs: 0, byModule: [], byFunction: [] });
  });
});
