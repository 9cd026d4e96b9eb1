/**
 * Route `GET /v1/events`: server-sent events of the chaincode events, each with id
 * `${blockNumber}:${index}`. `Last-Event-ID` (or `?lastEventId=`) resumes after that event;
 * `?from=start` replays every recorded event; otherwise delivery starts with the next event.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { parseEventId, type EventPosition, type FeedEvent } from '../fabric/event-feed.js';
import { ApiError } from '../problem.js';
import { API_SECURITY_HEADERS } from '../security-headers.js';
import type { RouteContext, TypedApp } from './context.js';
import { responses } from './schemas.js';

const HEARTBEAT_MS = 15_000;

function frameOf(event: FeedEvent): string {
  const data = JSON.stringify({ name: event.name, txId: event.txId, blockNumber: event.block, payload: event.payload });
  return `id: ${event.id}\nevent: ${event.name}\ndata: ${data}\n\n`;
}

function startOf(lastEventId: string | undefined, from: string | undefined): EventPosition | 'start' | 'now' {
  if (lastEventId !== undefined) {
    const position = parseEventId(lastEventId);
    if (position === undefined) throw new ApiError(400, 'VALIDATION_FAILED', `Last-Event-ID ${lastEventId} is not an event id (block:index)`);
    return position;
  }
  return from === 'start' ? 'start' : 'now';
}

/** Resolves once `raw` can take more (or is closed). */
function drained(raw: FastifyReply['raw']): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

function stream(reply: FastifyReply, context: RouteContext, start: EventPosition | 'start' | 'now'): void {
  const raw = reply.raw;
  reply.hijack(); // Fastify's headers are not sent: the security headers of every answer go here
  raw.writeHead(200, { ...API_SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write(': impact-ledger events\n\n');
  const reader = context.services.events.follow(start);
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
  raw.on('close', () => {
    clearInterval(heartbeat);
    reader.close();
  });
  // Written as the client takes them: a client replaying from far back, or a slow one, makes the
  // gateway read the journal no faster than it reads the stream.
  void (async () => {
    try {
      for await (const event of reader) {
        if (raw.destroyed) break;
        if (!raw.write(frameOf(event))) await drained(raw);
      }
    } catch (error) {
      reply.log.error({ err: error }, 'event stream failed; closing it (the client resumes with Last-Event-ID)');
      raw.destroy();
    }
  })();
}

/** Registers the events route. */
export function eventRoutes(app: TypedApp, context: RouteContext): void {
  app.get('/v1/events', {
    schema: {
      tags: ['events'], summary: 'Chaincode events as server-sent events (text/event-stream), resumable with Last-Event-ID',
      headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 40 })) }),
      querystring: Type.Object({ lastEventId: Type.Optional(Type.String({ maxLength: 40 })), from: Type.Optional(Type.Literal('start')) }),
      response: responses({ 200: Type.String({ description: 'text/event-stream' }) }, [400, 401]),
    },
  }, (request, reply) => {
    stream(reply, context, startOf(request.headers['last-event-id'] ?? request.query.lastEventId, request.query.from));
  });
}
