import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/*
 * A loopback HTTP proxy in front of the Jira simulator that misbehaves as a real Jira (or the
 * load balancer before it) does, on the test's schedule: storms of 5xx, cut connections,
 * answers that never come, 429s with a long Retry-After, and a token that stops being accepted.
 * Only requests under the faulted paths (default `/rest`) are faulted and counted; the
 * simulator's `/__sim` hooks always pass. With `['/scim']` it is a faulty SCIM directory.
 */

export type JiraFault =
  | { kind: 'status'; status: 500 | 502 | 503 | 504 }
  | { kind: 'reset' }
  /** No answer for `ms` (the connection is held open), then a 503. */
  | { kind: 'stall'; ms: number }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'unauthorized' };

export interface FaultRequest {
  /** 1-based count of faultable requests seen so far, this one included. */
  index: number;
  method: string;
  path: string;
}

/** Decides each faultable request's fate: a fault, or undefined to pass it on. */
export type FaultSchedule = (request: FaultRequest) => JiraFault | undefined;

export interface JiraFaultProxy {
  url: string;
  /** Where requests that pass go (the simulator's URL); set before the first request. */
  forwardTo(targetUrl: string): void;
  /** Replaces the schedule (undefined: pass everything). */
  setSchedule(schedule: FaultSchedule | undefined): void;
  /** Faults injected so far, by kind (`status:503`, `reset`, `stall`, `rate-limit`, `unauthorized`). */
  injected(): Record<string, number>;
  /** Faultable requests seen so far. */
  requests(): number;
  close(): Promise<void>;
}

const faultName = (fault: JiraFault) => (fault.kind === 'status' ? `status:${fault.status}` : fault.kind);

function jiraEnvelope(res: ServerResponse, status: number, message: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(JSON.stringify({ errorMessages: [message], errors: {} }));
}

export async function startJiraFaultProxy(faultedPaths: string[] = ['/rest']): Promise<JiraFaultProxy> {
  let target: URL | undefined;
  let schedule: FaultSchedule | undefined;
  let seen = 0;
  const counts: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const pass = (req: IncomingMessage, res: ServerResponse) => {
    if (!target) return jiraEnvelope(res, 502, 'the fault proxy has no target yet');
    const upstream = forward(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!faultedPaths.some((prefix) => path.startsWith(prefix))) return pass(req, res);
    seen += 1;
    const fault = schedule?.({ index: seen, method: req.method ?? 'GET', path });
    if (!fault) return pass(req, res);
    counts[faultName(fault)] = (counts[faultName(fault)] ?? 0) + 1;
    // The request body is read and dropped, so the client is never blocked writing it.
    req.resume();
    switch (fault.kind) {
      case 'status':
        return jiraEnvelope(res, fault.status, 'Service Unavailable');
      case 'reset':
        return req.socket.destroy();
      case 'stall': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) jiraEnvelope(res, 503, 'Service Unavailable');
        }, fault.ms);
        timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'rate-limit':
        return jiraEnvelope(res, 429, 'Rate limit exceeded.', {
          'retry-after': String(fault.retryAfterSeconds),
          'x-ratelimit-limit': '1',
          'x-ratelimit-remaining': '0',
        });
      case 'unauthorized':
        return jiraEnvelope(
          res,
          401,
          'You are not authenticated. Authentication required to perform this operation.',
          {
            'www-authenticate': 'OAuth realm="https%3A%2F%2Fjira.example.com"',
            'x-authentication-denied-reason': 'NONE',
          },
        );
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwardTo(targetUrl) {
      target = new URL(targetUrl);
    },
    setSchedule(next) {
      schedule = next;
    },
    injected: () => ({ ...counts }),
    requests: () => seen,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Storms one after the other: `count` requests from the `at`-th `/rest` request on get `fault`. */
export function storms(...list: Array<{ at: number; count: number; fault: JiraFault }>): FaultSchedule {
  return ({ index }) => list.find((storm) => index >= storm.at && index < storm.at + storm.count)?.fault;
}
