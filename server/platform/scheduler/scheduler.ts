/**
 * Runs recurring jobs. A job never overlaps itself: the next run is scheduled when the previous
 * one ends. An `exclusive` job runs on one instance at a time across a cluster, coordinated with a
 * PostgreSQL advisory lock, so retention and downsampling are not done twice.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { SwitchablePool } from '../../infra/database/switchable-pool.ts';

export interface JobOptions {
  name: string;
  intervalMs: number;
  /** Run once right away instead of after the first interval. */
  runImmediately?: boolean;
  exclusive?: boolean;
}

interface Job extends JobOptions {
  run: () => Promise<void>;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

export class Scheduler {
  readonly #jobs = new Map<string, Job>();
  readonly #logger: Logger;
  readonly #pool: SwitchablePool | undefined;
  #stopped = false;

  constructor({ logger, pool }: { logger: Logger; pool?: SwitchablePool }) {
    this.#logger = logger;
    this.#pool = pool;
  }

  every(options: JobOptions, run: () => Promise<void>): void {
    if (this.#jobs.has(options.name)) throw new Error(`job ${options.name} is already scheduled`);
    const job: Job = { ...options, run, timer: undefined, running: undefined };
    this.#jobs.set(options.name, job);
    this.#schedule(job, options.runImmediately ? 0 : options.intervalMs);
  }

  /** Runs a job now (joining a run already in progress) and resolves when it ends. */
  runNow(name: string): Promise<void> {
    const job = this.#jobs.get(name);
    if (!job) return Promise.reject(new Error(`no job named ${name}`));
    return this.#execute(job);
  }

  #schedule(job: Job, delayMs: number): void {
    if (this.#stopped) return;
    job.timer = setTimeout(() => {
      void this.#execute(job).finally(() => this.#schedule(job, job.intervalMs));
    }, delayMs);
    job.timer.unref();
  }

  #execute(job: Job): Promise<void> {
    job.running ??= (job.exclusive ? this.#runExclusive(job) : job.run())
      .catch((error: unknown) => this.#logger.error({ err: error, job: job.name }, 'scheduled job failed'))
      .finally(() => {
        job.running = undefined;
      });
    return job.running;
  }

  async #runExclusive(job: Job): Promise<void> {
    if (!this.#pool) return job.run();
    const client = await this.#pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [`watchkeeper:${job.name}`]);
      if (!rows[0]?.locked) return; // another instance is running it
      try {
        await job.run();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`watchkeeper:${job.name}`]);
      }
    } finally {
      client.release();
    }
  }

  /** Stops scheduling and waits for runs in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const job of this.#jobs.values()) clearTimeout(job.timer);
    await Promise.allSettled([...this.#jobs.values()].map((job) => job.running));
  }
}
