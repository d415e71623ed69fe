// RLS expectations of files (spread into tests/rls/expectations.ts): the
// public.files catalogue and the two Storage tables the app's policies guard.
// The seeded object belongs to "target" (another member), so a member's row
// shows what they may do to a teammate's file: read and upload, not rename,
// move or delete it (tests/files/storage-policies.test.ts covers their own).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Row, TableSpec } from '../rls/expectations.ts';

const nobody = {
	anon: '----',
	outsider: '----',
	viewer: '----',
	member: '----',
	admin: '----',
	owner: '----'
};
const readers = { ...nobody, viewer: 's---', member: 's---', admin: 's---', owner: 's---' };

const suffix = () => randomBytes(4).toString('hex');

/** An object as Storage leaves it after an upload (the trigger adds its files row). */
export async function seedObject(
	client: pg.Client,
	bucket: string,
	name: string,
	ownerId: string | null,
	size = 11,
	mimetype = 'text/plain'
): Promise<Row> {
	const { rows } = await client.query<Row>(
		`insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
		 values ($1, $2, $3::uuid, $3::text, jsonb_build_object('size', $4::bigint, 'mimetype', $5::text, 'eTag', '"abc"'))
		 returning id`,
		[bucket, name, ownerId, size, mimetype]
	);
	return rows[0]!;
}

export const fileTables: Record<string, TableSpec> = {
	'public.files': {
		seed: async (c, w) => {
			const object = await seedObject(
				c,
				'org-files',
				`${w.orgA}/seeded/${suffix()}.txt`,
				w.users.target.id
			);
			return { object_id: object.id };
		},
		// Rows come only from Storage objects.
		insert: (w) => ({
			org_id: w.orgA,
			object_id: '00000000-0000-4000-8000-000000000000',
			bucket_id: 'org-files',
			name: `${w.orgA}/forged.txt`,
			folder: '',
			file_name: 'forged.txt'
		}),
		update: { alt_text: 'A described file' },
		expect: { ...readers, member: 's-u-', admin: 's-u-', owner: 's-u-' }
	},
	'storage.objects': {
		seed: async (c, w) =>
			seedObject(c, 'org-files', `${w.orgA}/seeded/${suffix()}.txt`, w.users.target.id),
		insert: (w) => ({
			bucket_id: 'org-files',
			name: `${w.orgA}/uploads/${suffix()}.txt`,
			metadata: { size: 3, mimetype: 'text/plain' }
		}),
		update: { user_metadata: { width: 640, height: 480 } },
		expect: { ...readers, member: 'si--', admin: 'siud', owner: 'siud' }
	},
	'storage.buckets': {
		seed: () => Promise.resolve({ id: 'org-files' }),
		insert: () => ({ id: `forged-${suffix()}`, name: `forged-${suffix()}` }),
		update: { public: true },
		expect: { ...readers, outsider: 's---' }
	}
};
