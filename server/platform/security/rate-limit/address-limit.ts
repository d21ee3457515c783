/**
 * The `rate-limit-address` plugin: a flood guard counted per client address in an onRequest hook
 * that runs before authentication, so a refused request costs a counter in memory — no credential
 * lookup, no database, no Redis, and no audit row of its own (refusals are counted into one record
 * per window, see audit/repeated-denials.ts). The per-class limits after authentication still
 * apply to what gets through, and an answer 401 costs the address more. In process on purpose: a
 * shared counter would be one more network round trip per junk request, for a guard that must
 * stay cheaper than the work it saves.
 */
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../../infra/config/index.ts';
import { sendProblem } from '../../errors/index.ts';
import { bucketAddress } from '../ip-rules/cidr.ts';
import { rateLimitClassOf, rateLimitHeaders } from './rate-limit-policy.ts';

export const addressRateLimitPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    if (!config.server.rateLimitEnabled) return;
    const policy = { points: config.server.rateLimitAddressPoints, windowSeconds: config.server.rateLimitAddressWindowSeconds };
    const limiter = new RateLimiterMemory({ keyPrefix: 'rl:address', points: policy.points, duration: policy.windowSeconds });

    async function limit(request: FastifyRequest, reply: FastifyReply) {
      const address = bucketAddress(request.ip);
      try {
        await limiter.consume(address);
        return;
      } catch (outcome) {
        if (!(outcome instanceof RateLimiterRes)) throw outcome;
        const resetSeconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
        reply.headers({ ...rateLimitHeaders('address', policy, 0, resetSeconds), 'retry-after': String(resetSeconds) });
        if (app.hasDecorator('audit')) {
          void app.audit.recordRepeated(request, {
            action: 'rate-limit.block',
            outcome: 'denied',
            target: { type: 'rate-limit-class', id: 'address' },
            details: { bucket: 'ip', limit: policy.points, windowSeconds: policy.windowSeconds, store: 'memory' },
          });
        }
        return sendProblem(
          request,
          reply,
          'WK_ERR_RATE_LIMITED',
          `More than ${policy.points} requests in ${policy.windowSeconds} s from this address; retry after ${resetSeconds} s`,
        );
      }
    }
    app.addHook('onRequest', (request, reply, done) => {
      // The Kubernetes probes: a kubelet polls every pod on its node from one address. Settled
      // without a promise; a refusal is returned by limit(), so the hook ends once it is sent.
      if (rateLimitClassOf(request) === 'exempt') return done();
      limit(request, reply).then(() => done(), done);
    });

    // Refused credentials cost more: each one was a lookup, and an address guessing API keys or
    // replaying cookies then runs out of budget after a few, and is refused before the next
    // lookup. Seen in onSend, before the class limiter may turn the 401 into a 429.
    const unauthorizedCost = config.server.rateLimitAddressUnauthorizedCost;
    if (unauthorizedCost > 0) {
      // Synchronous unless it penalises: no promise on the answers that are not 401.
      app.addHook('onSend', (request, reply, payload, done) => {
        if (reply.statusCode !== 401) return done(null, payload);
        limiter.penalty(bucketAddress(request.ip), unauthorizedCost).then(() => done(null, payload), done);
      });
    }
  },
  { name: 'rate-limit-address', dependencies: ['errors'] },
);
