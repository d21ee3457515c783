/**
 * Who is calling. Authentication (session cookie or API key) sets `request.principal`; the
 * authorization hook checks it against the route's declared access.
 */
import type { Permission } from '../../../contracts/permissions.ts';

export type Principal =
  | {
      kind: 'user';
      userId: string;
      email: string;
      sessionId: string;
      /** The organization this request acts in. */
      organizationId: string;
    }
  | {
      kind: 'api-key';
      apiKeyId: string;
      /** Recognizable prefix, e.g. `wk_ab12cd`, for logs and audit. */
      keyPrefix: string;
      organizationId: string;
      projectId: string | undefined;
      scopes: Permission[];
    };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}
