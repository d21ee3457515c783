/**
 * The `rate-limit` plugin: every request is counted against its route class and bucket and
 * answered 429 problem+json (with Retry-After) past the limit; every limited response carries the
 * IETF RateLimit-Policy and RateLimit fields. Refusals are audited as repeated denials: the first
 * per client and window at once, the rest as one record with their count. The per-address flood
 * guard that runs before authentication is `rate-limit-address` (address-limit.ts).
 */
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../infra/config/index.ts';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../../../../contracts/problem.ts';
import { errorCatalogue, problemTypeFor, sendProblem } from '../../errors/index.ts';
import { createRateLimitProbe } from './rate-limit-probe.ts';
import { policiesFromConfig, rateLimitBucketOf, rateLimitClassOf, rateLimitHeaders } from './rate-limit-policy.ts';
import { RateLimitStore } from './rate-limit-store.ts';

export { rateLimitClasses, type RateLimitClass } from './rate-limit-policy.ts';
export { RateLimitStore } from './rate-limit-store.ts';
export { addressRateLimitPlugin } from './address-limit.ts';

interface Verdict {
  allowed: boolean;
  headers: Record<string, string>;
  detail: string;
}

export const rateLimitPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    if (!config.server.rateLimitEnabled) return;
    const policies = policiesFromConfig(config);
    const redisClient = () => app.cache.redisClient();
    const store = new RateLimitStore({ policies, redisClient, logger: app.log.child({ component: 'rate-limit' }) });
    const counted = new WeakSet<FastifyRequest>();

    async function judge(request: FastifyRequest): Promise<Verdict | undefined> {
      counted.add(request);
      const name = rateLimitClassOf(request);
      if (name === 'exempt') return undefined;
      const policy = policies[name];
      const bucket = rateLimitBucketOf(request);
      const decision = await store.consume(name, bucket.key);
      const headers = rateLimitHeaders(name, policy, decision.remaining, decision.resetSeconds);
      if (decision.allowed) return { allowed: true, headers, detail: '' };
      headers['retry-after'] = String(decision.resetSeconds);
      // Counted, not written per refusal: the first of a window is written, then one record with the count.
      if (app.hasDecorator('audit')) {
        void app.audit.recordRepeated(
          request,
          {
            action: 'rate-limit.block',
            outcome: 'denied',
            target: { type: 'rate-limit-class', id: name },
            details: { bucket: bucket.kind, limit: policy.points, windowSeconds: policy.windowSeconds, store: decision.store },
          },
          { vary: ['store'] },
        );
      }
      const who = bucket.kind === 'ip' ? 'this address' : bucket.kind === 'user' ? 'this user' : 'this API key';
      return {
        allowed: false,
        headers,
        detail: `More than ${policy.points} ${name} requests in ${policy.windowSeconds} s from ${who}; retry after ${decision.resetSeconds} s`,
      };
    }

    // A preHandler, not onRequest: authentication has run by then (its hooks are onRequest or
    // preHandlers registered before this plugin, see app.ts), so an authenticated caller is
    // counted against its API key or user rather than the address it shares with others.
    async function limit(request: FastifyRequest, reply: FastifyReply) {
      const verdict = await judge(request);
      if (!verdict) return;
      reply.headers(verdict.headers);
      // Returned, so the hook resolves only once the 429 is sent and Fastify goes no further.
      if (!verdict.allowed) return sendProblem(request, reply, 'WK_ERR_RATE_LIMITED', verdict.detail);
    }
    app.addHook('preHandler', (request, reply, done) => {
      // The probes are exempt: settled without a promise on the path a kubelet polls.
      if (rateLimitClassOf(request) === 'exempt') {
        counted.add(request);
        return done();
      }
      limit(request, reply).then(() => done(), done);
    });

    // Requests answered before the preHandler — failed validation, unparseable bodies, refused
    // credentials — are counted here, so a flood of bad requests is limited like any other. A 429
    // is a refusal already (the per-address limit's, before authentication): not counted twice.
    // Synchronous for the answers it does not count (nearly all): no promise per request.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (counted.has(request) || reply.statusCode < 400 || reply.statusCode === 429) return done(null, payload);
      countAnswered(request, reply, payload).then((newPayload) => done(null, newPayload), done);
    });

    async function countAnswered(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
      const verdict = await judge(request);
      if (!verdict) return payload;
      reply.headers(verdict.headers);
      if (verdict.allowed) return payload;
      const { status, title } = errorCatalogue.WK_ERR_RATE_LIMITED;
      const problem: Problem = {
        type: problemTypeFor('WK_ERR_RATE_LIMITED'),
        title,
        status,
        code: 'WK_ERR_RATE_LIMITED',
        detail: verdict.detail,
        instance: request.url.split('?')[0],
        requestId: String(request.id),
      };
      reply.code(status).header('content-type', PROBLEM_CONTENT_TYPE);
      return JSON.stringify(problem);
    }

    // The health module registers after the platform; add the component once it exists.
    app.addHook('onReady', async () => {
      if (app.hasDecorator('health')) app.health.register(createRateLimitProbe({ store, redisClient }));
    });
  },
  { name: 'rate-limit', dependencies: ['cache', 'errors'] },
);
