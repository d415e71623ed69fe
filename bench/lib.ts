// Shared benchmark plumbing: a throwaway migrated Postgres, timing, percentiles.
// Benchmarks print ratios against a baseline measured in the same run, because
// absolute times on a shared 2-core machine vary from run to run.
import { bootstrap } from '../platform/bootstrap.ts';
import { migrate } from '../platform/migrate.ts';
import { startPostgres, type RunningPostgres } from '../platform/postgres.ts';
import { installQueue } from '../src/worker/queue.ts';

export async function startBenchDatabase(): Promise<
	RunningPostgres & { cleanup(): Promise<void> }
> {
	const postgres = await startPostgres({
		dataDir: `.data/bench/pg-${process.pid}`,
		port: 0,
		ephemeral: true
	});
	await bootstrap(postgres.url);
	await migrate(postgres.url);
	await installQueue(postgres.url);
	return {
		...postgres,
		cleanup: async () => {
			// Deletes the throwaway cluster's data too.
			await postgres.stop();
		}
	};
}

export function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
	return sorted[Math.max(0, index)]!;
}

export type Timing = { p50: number; p95: number; mean: number; runs: number };

export function summarize(samples: number[]): Timing {
	const sorted = [...samples].sort((a, b) => a - b);
	return {
		p50: percentile(sorted, 50),
		p95: percentile(sorted, 95),
		mean: samples.reduce((a, b) => a + b, 0) / samples.length,
		runs: samples.length
	};
}

/**
 * Times two variants interleaved (A, B, A, B, …) after a warm-up, so that noise
 * from the machine lands on both alike.
 */
export async function compare(
	runs: number,
	a: () => Promise<unknown>,
	b: () => Promise<unknown>,
	warmup = Math.min(50, runs)
): Promise<{ a: Timing; b: Timing }> {
	for (let i = 0; i < warmup; i++) {
		await a();
		await b();
	}
	const ta: number[] = [];
	const tb: number[] = [];
	for (let i = 0; i < runs; i++) {
		let t = performance.now();
		await a();
		ta.push(performance.now() - t);
		t = performance.now();
		await b();
		tb.push(performance.now() - t);
	}
	return { a: summarize(ta), b: summarize(tb) };
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
