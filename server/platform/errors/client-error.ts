/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request — a request that did not
 * arrive within its deadline (408), headers over the size limit (431), bytes that are not HTTP
 * (400) — as problem+json like every other error, instead of Fastify's ad-hoc JSON. The
 * connection is closed afterwards: its stream is in an unknown state.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { errorCatalogue, problemTypeFor, type ErrorCode } from '../../../contracts/errors.ts';
import { PROBLEM_CONTENT_TYPE } from '../../../contracts/problem.ts';

function codeFor(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'WK_ERR_REQUEST_TIMEOUT';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'WK_ERR_HEADERS_TOO_LARGE';
  return 'WK_ERR_BAD_REQUEST';
}

export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection is already gone: there is nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = codeFor(error);
  const { status, title } = errorCatalogue[code];
  this.log.debug({ err: error, code }, 'refused by the HTTP parser');
  if (socket.writable) {
    const body = JSON.stringify({ type: problemTypeFor(code), title, status, code, detail: error.message });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
