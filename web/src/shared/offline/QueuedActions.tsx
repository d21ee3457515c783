/** What the offline queue holds and what became of it: queued, delivered, or refused (a conflict). */
import { useActionOutcomes, type ActionOutcome } from './action-queue.ts';

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function describeOutcome(outcome: ActionOutcome): string {
  switch (outcome.kind) {
    case 'queued':
      return `Queued at ${time(outcome.action.queuedAt)}: waiting for the network`;
    case 'delivered':
      return `Delivered at ${time(outcome.at)}`;
    case 'conflict':
      return `Not done — the server refused it at ${time(outcome.at)}: ${outcome.reason}`;
  }
}

export function QueuedActions() {
  const outcomes = useActionOutcomes();
  return (
    <section className="queued-actions" aria-label="Queued actions" aria-live="polite" hidden={outcomes.length === 0}>
      {outcomes.length > 0 && (
        <ul>
          {outcomes.map((outcome) => (
            <li key={outcome.action.id} className={`queued-${outcome.kind}`}>
              <strong>{outcome.action.label}</strong> — {describeOutcome(outcome)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
