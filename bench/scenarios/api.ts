/**
 * api: authenticated reads — a session cookie and an API key, each on `GET /api/services` and
 * `GET /health/status` — against the probe (`/health/liveness`) on the same server, alternating.
 * Targets (issue 8): ≥ 0.5× the probe, and zero database queries per request in the steady state.
 */
import { aggregate, hasErrors } from '../lib/aggregate.ts';
import { credentialsFor } from '../lib/credentials.ts';
import { measure, type WindowResult } from '../lib/measure.ts';
import { httpRequest } from '../lib/processes.ts';
import type { Scenario } from '../lib/scenario.ts';

const MIN_RATIO = 0.5;

export const api: Scenario = {
  name: 'api',
  description: 'Authenticated reads (session cookie, API key) on GET /api/services and /health/status vs the probe',
  async run(context) {
    const subject = await context.subject();
    const { cookie, apiKey } = await credentialsFor(subject);
    const window = { seconds: context.seconds, connections: context.connections, pid: subject.pid };
    const probeLoad = { ...window, label: 'probe /health/liveness', url: `${subject.url}/health/liveness` };
    const variants: { label: string; path: string; headers: Record<string, string> }[] = [
      { label: 'cookie GET /api/services', path: '/api/services', headers: { cookie } },
      { label: 'cookie GET /health/status', path: '/health/status', headers: { cookie } },
      { label: 'API key GET /api/services', path: '/api/services', headers: { authorization: `Bearer ${apiKey}` } },
      { label: 'API key GET /health/status', path: '/health/status', headers: { authorization: `Bearer ${apiKey}` } },
    ];
    const loads = variants.map(({ path, ...variant }) => ({ ...window, ...variant, url: `${subject.url}${path}` }));
    for (const variant of loads) {
      const answer = await httpRequest(variant.url, { headers: variant.headers });
      if (answer.status !== 200) throw new Error(`${variant.label} answered ${answer.status}: ${answer.body}`);
    }
    if (context.warmupSeconds > 0) {
      context.log(`api: warm-up ${context.warmupSeconds} s each`);
      for (const load of [probeLoad, ...loads]) await measure({ ...load, seconds: context.warmupSeconds });
      // Lets the warm-up's last transactions reach pg_stat_database before the first count starts.
      await new Promise((resolve) => setTimeout(resolve, context.settleMs));
    }
    const probeWindows: WindowResult[] = [];
    const variantWindows = loads.map((): WindowResult[] => []);
    for (let round = 1; round <= context.rounds; round++) {
      context.log(`api: round ${round}/${context.rounds}`);
      probeWindows.push(await measure(probeLoad));
      for (const [index, variant] of loads.entries()) {
        // Counting needs a settle after the window (measure.ts), so only the first round counts.
        const counting = round === 1 ? { transactions: subject.database.transactions, settleMs: context.settleMs } : {};
        variantWindows[index]!.push(await measure({ ...variant, ...counting }));
      }
    }
    const baseline = aggregate(probeLoad.label, probeWindows);
    const rows = loads.map((variant, index) => {
      const row = aggregate(variant.label, variantWindows[index]!);
      row.ratio = baseline.rps ? row.rps / baseline.rps : 0;
      row.target = `≥ ${MIN_RATIO}× probe, 0 queries/request`;
      row.pass = row.ratio >= MIN_RATIO && row.queriesPerRequest === 0 && !hasErrors(row);
      return row;
    });
    return {
      name: this.name,
      description: this.description,
      rows: [baseline, ...rows],
      windows: [...probeWindows, ...variantWindows.flat()],
      notes: [
        `Queries per request: transactions committed or rolled back in the bench database (pg_stat_database) over the first round's window, read ${context.settleMs} ms after it, divided by its requests; background jobs are included.`,
      ],
    };
  },
};
