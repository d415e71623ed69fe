// Kysely's view of the database, derived from the types the Supabase CLI
// generates (src/lib/database.types.ts, `npm run db:types`). Nothing here is
// written by hand per table: a migration plus `npm run db:types` is all it takes.
import type { ColumnType } from 'kysely';
import type { Database } from '$lib/database.types';

type GeneratedTable = { Row: object; Insert: object; Update: object };
type GeneratedView = { Row: object };

/** A table: select the Row type, insert the Insert type (optional stays optional), update the Update type. */
type KyselyTable<T extends GeneratedTable> = {
	[K in keyof T['Row']]: ColumnType<
		T['Row'][K],
		K extends keyof T['Insert'] ? T['Insert'][K] : never,
		K extends keyof T['Update'] ? T['Update'][K] : never
	>;
};

/** A view: read-only. */
type KyselyView<T extends GeneratedView> = {
	[K in keyof T['Row']]: ColumnType<T['Row'][K], never, never>;
};

type Public = Database['public'];

export type DB = {
	[T in keyof Public['Tables']]: KyselyTable<Public['Tables'][T]>;
} & {
	[V in keyof Public['Views']]: Public['Views'][V] extends GeneratedView
		? KyselyView<Public['Views'][V]>
		: never;
};
