import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/*
 * Requests Node rejects before express sees them (headers or a URL beyond Node's header limit,
 * a request line that is not HTTP) are answered with the API's error envelope too, so that a
 * client always gets `{error: {code, message}}` to read, never an empty body.
 */

function respond(socket: Duplex, status: number, reason: string, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function answerClientErrors(server: Server): Server {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      respond(
        socket,
        431,
        'Request Header Fields Too Large',
        'headers_too_large',
        'the request line and headers are larger than the server accepts (16 KB): send long values in the body',
      );
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      respond(socket, 408, 'Request Timeout', 'request_timeout', 'the request was not received in time');
      return;
    }
    respond(socket, 400, 'Bad Request', 'bad_request', 'the request is not valid HTTP');
  });
  return server;
}
