/** The `events` plugin: one typed bus per app. */
import fp from 'fastify-plugin';
import { EventBus } from './event-bus.ts';

export {
  EventBus,
  type WatchkeeperEvents,
  type HealthTransitionEvent,
  type HealthRecoveryEvent,
  type AuditRecordedEvent,
  type SecurityEventPublished,
  type SecuritySeverity,
  type TenancyRemovedEvent,
} from './event-bus.ts';

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus;
  }
}

export const eventsPlugin = fp(
  async (app) => {
    app.decorate('events', new EventBus({ logger: app.log.child({ component: 'events' }) }));
  },
  { name: 'events' },
);
