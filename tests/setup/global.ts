// Once per test run: one throwaway Postgres cluster on a port of its own, with a
// template database that has the Supabase platform objects and every migration
// applied by the real Supabase CLI. Each test file clones the template
// (tests/helpers/db.ts), so files never see each other's rows.
import type { TestProject } from 'vitest/node';
import { bootstrap } from '../../platform/bootstrap.ts';
import { migrate } from '../../platform/migrate.ts';
import { startPostgres } from '../../platform/postgres.ts';
import { installQueue } from '../../src/worker/queue.ts';
import { TEMPLATE_DB } from '../helpers/template.ts';
import pg from 'pg';

declare module 'vitest' {
	export interface ProvidedContext {
		pgPort: number;
	}
}

export default async function setup(project: TestProject) {
	// Port 0: a port of its own, chosen again if another process takes it first.
	const postgres = await startPostgres({
		dataDir: `.data/test/pg-${process.pid}`,
		port: 0,
		ephemeral: true
	});
	const admin = new pg.Client({ connectionString: postgres.url });
	await admin.connect();
	await admin.query(`drop database if exists ${TEMPLATE_DB}`);
	await admin.query(`create database ${TEMPLATE_DB}`);
	await admin.end();
	const templateUrl = postgres.urlFor(TEMPLATE_DB);
	await bootstrap(templateUrl);
	await migrate(templateUrl);
	await installQueue(templateUrl);
	project.provide('pgPort', postgres.port);

	return async () => {
		// Deletes the throwaway cluster's data too.
		await postgres.stop();
	};
}
