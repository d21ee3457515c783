import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.ts';

const refuse = () => new AppError('WK_ERR_CSRF_TOKEN_INVALID', 'this form must be posted from Watchkeeper’s own pages');

/**
 * A form post must come from our own pages: a cross-site form (login CSRF, a forced sign-out) is
 * refused. Browsers say where a request comes from in Sec-Fetch-Site, which pages cannot forge,
 * and that decides. Without it (an older browser), Origin must name this host: our pages send
 * `Referrer-Policy: no-referrer`, under which a browser's Origin on a form post is `null`, but a
 * browser old enough to lack Sec-Fetch-Site predates that rule too. A client that sends neither
 * header is not a browser, and not the threat.
 */
export function assertSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    if (site !== 'same-origin' && site !== 'none') throw refuse();
    return;
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    throw refuse();
  }
  if (host !== request.host) throw refuse();
}
