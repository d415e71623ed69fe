// A fresh database per test file, cloned from the migrated template that
// tests/setup/global.ts prepares once per run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { SUPERUSER, SUPERUSER_PASSWORD } from '../../platform/postgres.ts';
import { TEMPLATE_DB } from './template.ts';

export type TestDatabase = {
	name: string;
	/** Superuser URL of the clone (the role the app's DATABASE_URL uses locally). */
	url: string;
	drop(): Promise<void>;
};

function urlFor(database: string): string {
	return `postgresql://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${inject('pgPort')}/${database}`;
}

async function onAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: urlFor('postgres') });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

export async function createTestDatabase(): Promise<TestDatabase> {
	const name = `t_${randomBytes(6).toString('hex')}`;
	await onAdmin((c) => c.query(`create database ${name} template ${TEMPLATE_DB}`));
	return {
		name,
		url: urlFor(name),
		drop: () =>
			onAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {})
	};
}
