/** What the checks scenario reads from the server under test besides its answers: its heap as it reports it, and the history it wrote. */
import pg from 'pg';

/** The server's heapUsed as its memory probe last measured it (`/health/memory`), in bytes. */
export async function heapUsed(base: string, cookie: string): Promise<number | undefined> {
  try {
    const response = await fetch(`${base}/health/memory`, { headers: { cookie } });
    const report = (await response.json()) as { checks?: Record<string, Array<{ observedValue?: { used?: number } }>> };
    const entry = Object.entries(report.checks ?? {}).find(([key]) => key.endsWith(':heap'))?.[1]?.[0];
    return typeof entry?.observedValue?.used === 'number' ? entry.observedValue.used : undefined;
  } catch {
    return undefined;
  }
}

export async function countSamples(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM health_samples');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
