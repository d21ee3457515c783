/**
 * The `security-headers` plugin: the OWASP Secure Headers Project's recommendations on every
 * response. Helmet sets most of them; Permissions-Policy, HSTS (only on HTTPS, where browsers
 * honour it) and Cache-Control: no-store on authenticated and API responses are added here.
 */
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';

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

export const securityHeadersPlugin = fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
      strictTransportSecurity: false, // per request below
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      xFrameOptions: { action: 'deny' },
    });

    app.addHook('onRequest', async (request, reply) => {
      reply.header('permissions-policy', PERMISSIONS_POLICY);
      // request.protocol is https for our own TLS listener, or behind a TRUST_PROXY proxy saying so.
      if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    });

    // Responses for a signed-in caller, and anything under /api, must never be stored by a
    // browser or a shared cache: they carry one account's data.
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.principal || request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
      reply.removeHeader('x-powered-by');
      reply.removeHeader('server');
      return payload;
    });
  },
  { name: 'security-headers' },
);
