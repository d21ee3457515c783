/** The session cookie: HttpOnly, SameSite=Lax, Secure over TLS (or always, when configured). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';

export const SESSION_COOKIE = 'wk_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionCookieOptions {
  secure: 'auto' | 'always' | 'never';
  absoluteTimeoutMs: number;
}

function cookieOptions(request: FastifyRequest, { secure, absoluteTimeoutMs }: SessionCookieOptions): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: secure === 'always' || (secure === 'auto' && request.protocol === 'https'),
    maxAge: Math.floor(absoluteTimeoutMs / 1000),
  };
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string, options: SessionCookieOptions): void {
  reply.setCookie(SESSION_COOKIE, id, cookieOptions(request, options));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, options: SessionCookieOptions): void {
  const { maxAge: _maxAge, ...rest } = cookieOptions(request, options);
  reply.clearCookie(SESSION_COOKIE, rest);
}
