/** The CLI covers every route of the OpenAPI document (the two cannot drift), and each command has a helpful --help. */
import { CLI_COMMANDS, commandHelp } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fakeGateway } from '../helpers/fake-gateway';

/** The route a request path answers to, in OpenAPI spelling, by matching the documented templates. */
function routeOf(method: string, path: string, templates: readonly string[]): string | undefined {
  const pathname = new URL(path, 'http://cli').pathname;
  return templates.find((t) => {
    const [m, template = ''] = t.split(' ');
    const pattern = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return m === method.toLowerCase() && pattern.test(pathname);
  });
}

describe('CLI: one command per route', () => {
  let routes: string[] = [];

  before(async () => {
    const { app } = await fakeGateway();
    const response = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    const document = JSON.parse(response.body) as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    await app.close();
  });

  it('every route of the OpenAPI document has a CLI command', () => {
    expect(routes.length).to.be.greaterThan(40);
    const covered = new Set(Object.values(CLI_COMMANDS).map((c) => c.route));
    expect(routes.filter((r) => !covered.has(r)), 'routes without a CLI command').to.deep.equal([]);
  });

  it('every command names a real route, and the request it builds is that route', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'doc.json');
    writeFileSync(file, '{}');
    for (const [name, command] of Object.entries(CLI_COMMANDS)) {
      expect(routes, name).to.include(command.route);
      const args: string[] = [];
      for (const token of command.usage.split(' ').slice(1)) {
        if (token.startsWith('[') || token.includes('=')) break;
        args.push(token.includes('.json') ? file : /version|quantity|budget/i.test(token) ? '2' : token.includes('YYYY-MM') ? '2026-03' : 'a'.repeat(64));
      }
      const request = command.request(args);
      expect(routeOf(request.method, request.path, routes), `${name}: ${request.method} ${request.path}`).to.equal(command.route);
    }
  });

  it('each command has a --help naming its usage and route; paged lists explain --all', () => {
    for (const [name, command] of Object.entries(CLI_COMMANDS)) {
      const help = commandHelp(name, command);
      expect(help, name).to.contain(command.usage).and.to.contain(command.route.split(' ')[1]);
      if (command.paged) expect(help, name).to.contain('--all');
    }
  });
});
