/**
 * The `security-headers` plugin: the OWASP Secure Headers Project's recommendations on every
 * response, computed once at start and set by one synchronous hook. Permissions-Policy, HSTS (only
 * on HTTPS, where browsers honour it) and Cache-Control: no-store on authenticated and API
 * responses complete the set.
 *
 * The list is written out rather than produced by @fastify/helmet, which built helmet anew on every
 * request (re-parsing the CSP, a dozen closures): a third of a liveness probe's CPU for headers that
 * never change. The values are those helmet 8 sent for the options we gave it, and
 * test/security-headers.test.ts holds every kind of answer to exactly this set.
 */
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `shared`: the route's answer is the same for everyone (a public status page), so it keeps
     * the Cache-Control it sets. Honoured on `access: 'public'` routes only, which never identify
     * the caller and so cannot answer with one account's data.
     */
    cache?: 'shared';
  }
}

/**
 * No inline script or style anywhere: the UI and the OpenAPI docs load only their own files
 * (swagger-ui's page has no inline script). `data:` images and fonts are what swagger-ui's CSS uses.
 */
export const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/** `defaultSrc: ["'self'"]` → `default-src 'self'`, directives joined by `;` as helmet does. */
export function serializeContentSecurityPolicy(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, values]) => [name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`), ...values].join(' '))
    .join(';');
}

/** Every powerful browser feature off: a monitoring dashboard needs none of them. */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'encrypted-media=()',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'idle-detection=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'picture-in-picture=()',
  'screen-wake-lock=()',
  'serial=()',
  'usb=()',
  'xr-spatial-tracking=()',
  'fullscreen=(self)',
].join(', ');

/** Two years, the HSTS preload list's expectation. */
export const HSTS = 'max-age=63072000; includeSubDomains';

/** Sent on every answer, whatever its status or route (HSTS and Cache-Control are per request). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': serializeContentSecurityPolicy(contentSecurityPolicy),
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Asks the browser to isolate this origin in its own agent cluster (helmet's default).
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  // 0 turns off the legacy XSS auditor, which itself opened leaks; the CSP is the protection.
  'x-xss-protection': '0',
  'permissions-policy': PERMISSIONS_POLICY,
});

const SECURITY_HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

export const securityHeadersPlugin = fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      for (const [name, value] of SECURITY_HEADER_ENTRIES) reply.header(name, value);
      // request.protocol is https for our own TLS listener, or behind a TRUST_PROXY proxy saying so.
      if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
      done();
    });

    // Responses for a signed-in caller, and anything under /api, must never be stored by a
    // browser or a shared cache: they carry one account's data.
    app.addHook('onSend', (request, reply, payload, done) => {
      const { access, cache } = request.routeOptions.config;
      const shared = cache === 'shared' && access === 'public' && reply.statusCode === 200;
      if (!shared && (request.principal || request.url.startsWith('/api/'))) reply.header('cache-control', 'no-store');
      reply.removeHeader('x-powered-by');
      reply.removeHeader('server');
      done(null, payload);
    });
  },
  { name: 'security-headers' },
);
