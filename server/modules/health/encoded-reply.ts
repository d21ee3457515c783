/**
 * Large reads sent already serialized (the health reports, the services list): gzipped when the
 * client accepts it, and a 304 without a body when the client's `If-None-Match` names the ETag of
 * what it would get. No compression plugin is installed: the bodies come gzipped from blocks
 * deflated once per change (serialized-blocks.ts), which costs far less than gzipping 7 MiB per
 * request.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type BodyEncoding = 'identity' | 'gzip';

/** Whether `Accept-Encoding` allows gzip (`gzip` or `*` with a q-value above zero, RFC 9110 §12.5.3). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [coding = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const value = Number.isFinite(weight) ? weight : 0;
    if (coding === 'gzip' || coding === 'x-gzip') gzip = value;
    else if (coding === '*') any = value;
  }
  return (gzip ?? any ?? 0) > 0;
}

/**
 * A strong ETag for a representation: the inputs that determine the body (a version, the query…)
 * hashed, and the encoding, since the gzipped bytes are a representation of their own.
 */
export function etagOf(inputs: readonly (string | number | boolean)[], encoding: BodyEncoding): string {
  const digest = createHash('sha256').update(inputs.join('\u0000')).digest('base64url').slice(0, 22);
  return `"${digest}${encoding === 'gzip' ? '-gz' : ''}"`;
}

/** `If-None-Match` against an ETag, by the weak comparison GET uses (RFC 9110 §13.1.2). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return true;
  const bare = etag.replace(/^W\//, '');
  for (const candidate of header.split(',')) {
    const tag = candidate.trim();
    if (tag === '*' || tag.replace(/^W\//, '') === bare) return false;
  }
  return true;
}

/** The encoding a request's answer is sent in. */
export const encodingFor = (request: FastifyRequest): BodyEncoding => (acceptsGzip(request.headers['accept-encoding']) ? 'gzip' : 'identity');

/** An answer made once and sent as is (read-snapshots.ts keeps them): its bytes already encoded. */
export interface EncodedAnswer {
  code: number;
  contentType: string;
  encoding: BodyEncoding;
  /** Unset: no ETag. */
  etag?: string | undefined;
  body: Buffer;
  /** Headers sent with the body and with a 304 (e.g. cache-control). */
  headers?: Record<string, string>;
}

/** Sends an answer made already, or a 304 when the client's `If-None-Match` names its ETag. */
export function sendAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  { code, contentType, encoding, etag, body, headers = {} }: EncodedAnswer,
): FastifyReply {
  reply.headers(headers).header('vary', 'accept-encoding');
  if (etag !== undefined) {
    reply.header('etag', etag);
    // A 304 only stands in for a success: a failing report (503) is sent again in full.
    if (code === 200 && !noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
  }
  if (encoding === 'gzip') reply.header('content-encoding', 'gzip');
  return reply.code(code).type(contentType).send(body);
}
