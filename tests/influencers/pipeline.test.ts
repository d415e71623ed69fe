// The influencer pipeline (cold → active → final) enforced by the database for
// every writer, board moves as one row update, duplicated handles refused with
// the record that has them, and the events automations start from.
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import {
	influencerWorld,
	seedInfluencer,
	setStatus,
	statusOf,
	type InfluencerWorld
} from './world.ts';

let w: InfluencerWorld;
beforeAll(async () => {
	w = await influencerWorld();
});
afterAll(() => w.close());

const STATUSES = ['cold', 'active', 'final'] as const;
type Status = (typeof STATUSES)[number];
const LEGAL = new Set(['cold>active', 'active>final', 'active>cold', 'final>active']);

async function influencerIn(status: Status): Promise<string> {
	const id = await seedInfluencer(w, { status: status === 'cold' ? 'cold' : 'active' });
	if (status === 'final') await setStatus(w, id, 'final');
	expect(await statusOf(w, id)).toBe(status);
	return id;
}

async function refusal(promise: Promise<unknown>): Promise<DatabaseError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(DatabaseError);
	return error as DatabaseError;
}

async function eventsOf(id: string, type: string) {
	const { rows } = await w.admin.query<{ payload: Record<string, unknown>; actor_id: string }>(
		'select payload, actor_id from public.events where subject_id = $1 and type = $2 order by id',
		[id, type]
	);
	return rows;
}

describe('the pipeline', () => {
	for (const from of STATUSES) {
		for (const to of STATUSES) {
			if (from === to) continue;
			const legal = LEGAL.has(`${from}>${to}`);
			it(`${from} → ${to} is ${legal ? 'allowed' : 'refused'}, for members and the superuser alike`, async () => {
				const id = await influencerIn(from);
				if (legal) {
					await setStatus(w, id, to);
					expect(await statusOf(w, id)).toBe(to);
				} else {
					const error = await refusal(setStatus(w, id, to));
					expect(error.code).toBe('23514');
					expect(error.hint).toBe('influencer_transition_refused');
					expect(mapDbError(error)).toMatchObject({ status: 422, field: 'status' });
					const bySuperuser = await refusal(
						w.admin.query('update public.influencers set status = $2 where id = $1', [id, to])
					);
					expect(bySuperuser.hint).toBe('influencer_transition_refused');
					expect(await statusOf(w, id)).toBe(from);
				}
			});
		}
	}

	it('a new record starts cold or active, never final', async () => {
		const error = await refusal(
			w.admin.query(
				`insert into public.influencers (org_id, name, status) values ($1, 'X', 'final')`,
				[w.world.orgA]
			)
		);
		expect(error.hint).toBe('influencer_transition_refused');
	});

	it('records influencer.status_changed with who moved it, and influencer.created', async () => {
		const id = await influencerIn('cold');
		expect((await eventsOf(id, 'influencer.created'))[0]!.payload).toEqual({
			source: 'manual',
			status: 'cold'
		});
		await setStatus(w, id, 'active');
		const events = await eventsOf(id, 'influencer.status_changed');
		expect(events).toHaveLength(1);
		expect(events[0]!.payload).toEqual({ influencer_id: id, from: 'cold', to: 'active' });
		expect(events[0]!.actor_id).toBe(w.world.users.member.id);
	});

	it('records influencer.updated with the fields that changed', async () => {
		const id = await influencerIn('cold');
		await w.as('member', (trx) =>
			sql`update public.influencers set notes = 'Met at the fair', tags = array['Beauty'] where id = ${id}`.execute(
				trx
			)
		);
		const events = await eventsOf(id, 'influencer.updated');
		expect(events.map((e) => e.payload)).toEqual([{ changed: ['tags', 'notes'] }]);
	});
});

describe('the board', () => {
	async function column(status: Status): Promise<string[]> {
		const { rows } = await w.admin.query<{ name: string }>(
			`select name from public.influencers where org_id = $1 and status = $2 and name like 'Board %'
			  order by board_position, id`,
			[w.world.orgB, status]
		);
		return rows.map((r) => r.name);
	}

	it('puts new cards on top, moves a card between two others in one update, and a bulk move on top', async () => {
		const a = await seedInfluencer(w, { org: w.world.orgB, name: 'Board A' });
		const b = await seedInfluencer(w, { org: w.world.orgB, name: 'Board B' });
		const c = await seedInfluencer(w, { org: w.world.orgB, name: 'Board C' });
		expect(await column('cold')).toEqual(['Board C', 'Board B', 'Board A']);

		// C after B: between B and A.
		await w.as('outsider', (trx) =>
			sql`select public.move_influencer(${c}, 'cold', ${b})`.execute(trx)
		);
		expect(await column('cold')).toEqual(['Board B', 'Board C', 'Board A']);
		// Into another column, at the top, then A after it.
		await w.as('outsider', (trx) =>
			sql`select public.move_influencer(${c}, 'active', null)`.execute(trx)
		);
		await w.as('outsider', (trx) =>
			sql`select public.move_influencer(${a}, 'active', ${c})`.execute(trx)
		);
		expect(await column('active')).toEqual(['Board C', 'Board A']);
		expect(await column('cold')).toEqual(['Board B']);
		// Many midpoints in the same gap stay distinct (numeric is exact).
		const d = await seedInfluencer(w, { org: w.world.orgB, name: 'Board D', status: 'active' });
		for (let i = 0; i < 60; i++) {
			const after = i % 2 === 0 ? c : d;
			const moving = i % 2 === 0 ? d : c;
			await w.as('outsider', (trx) =>
				sql`select public.move_influencer(${moving}, 'active', ${after})`.execute(trx)
			);
		}
		const { rows } = await w.admin.query<{ n: string }>(
			`select count(distinct board_position) as n from public.influencers where org_id = $1 and status = 'active'`,
			[w.world.orgB]
		);
		expect(Number(rows[0]!.n)).toBe(3);
		// A status change alone (a bulk action) puts the card on top of its new column.
		await w.admin.query(`update public.influencers set status = 'active' where id = $1`, [b]);
		expect((await column('active'))[0]).toBe('Board B');
	});

	it('refuses a move next to a card that is not in that column, and an illegal move', async () => {
		const a = await seedInfluencer(w, { name: 'Mover' });
		const other = await seedInfluencer(w, { name: 'Elsewhere', status: 'active' });
		const neighbour = await refusal(
			w.as('member', (trx) =>
				sql`select public.move_influencer(${a}, 'cold', ${other})`.execute(trx)
			)
		);
		expect(neighbour.hint).toBe('board_neighbour_moved');
		const skip = await refusal(
			w.as('member', (trx) => sql`select public.move_influencer(${a}, 'final', null)`.execute(trx))
		);
		expect(skip.hint).toBe('influencer_transition_refused');
	});

	it('a viewer or another organization cannot move a card', async () => {
		const a = await seedInfluencer(w, { name: 'Not yours' });
		for (const persona of ['viewer', 'outsider'] as const) {
			const error = await refusal(
				w.as(persona, (trx) =>
					sql`select public.move_influencer(${a}, 'active', null)`.execute(trx)
				)
			);
			expect(error.hint).toBe('influencer_not_found');
		}
		expect(await statusOf(w, a)).toBe('cold');
	});
});

describe('handles and details', () => {
	it('refuses a handle already in the CRM (any case, with or without @), naming the record', async () => {
		const first = await seedInfluencer(w, { name: 'Nova Lane' });
		const second = await seedInfluencer(w, { name: 'Someone else' });
		await w.as('member', (trx) =>
			sql`insert into public.influencer_handles (org_id, influencer_id, platform, handle)
			    values (${w.world.orgA}, ${first}, 'instagram', '@Nova.Lane')`.execute(trx)
		);
		const { rows } = await w.admin.query(
			'select handle from public.influencer_handles where influencer_id = $1',
			[first]
		);
		expect(rows[0]).toEqual({ handle: 'Nova.Lane' });
		const error = await refusal(
			w.as('member', (trx) =>
				sql`insert into public.influencer_handles (org_id, influencer_id, platform, handle)
				    values (${w.world.orgA}, ${second}, 'instagram', 'nova.lane')`.execute(trx)
			)
		);
		expect(error.code).toBe('23505');
		expect(error.message).toContain('Nova Lane');
		expect(mapDbError(error)).toMatchObject({ status: 409, field: 'handle', code: 'handle_taken' });
		// The same handle on another platform, or in another organization, is fine.
		await w.as('member', (trx) =>
			sql`insert into public.influencer_handles (org_id, influencer_id, platform, handle)
			    values (${w.world.orgA}, ${second}, 'tiktok', 'nova.lane')`.execute(trx)
		);
		const theirs = await seedInfluencer(w, { org: w.world.orgB, name: 'Nova elsewhere' });
		await w.as('outsider', (trx) =>
			sql`insert into public.influencer_handles (org_id, influencer_id, platform, handle)
			    values (${w.world.orgB}, ${theirs}, 'instagram', 'nova.lane')`.execute(trx)
		);
	});

	it('refuses an unknown platform, a bad handle, email or phone with the field', async () => {
		const id = await seedInfluencer(w, { name: 'Checks' });
		const platform = await refusal(
			w.admin.query(
				`insert into public.influencer_handles (org_id, influencer_id, platform, handle) values ($1, $2, 'myspace', 'x')`,
				[w.world.orgA, id]
			)
		);
		expect(platform.code).toBe('22P02');
		const handle = await refusal(
			w.admin.query(
				`insert into public.influencer_handles (org_id, influencer_id, platform, handle) values ($1, $2, 'x', 'has space')`,
				[w.world.orgA, id]
			)
		);
		expect(mapDbError(handle)).toMatchObject({ status: 422, field: 'handle' });
		const email = await refusal(
			w.admin.query(`update public.influencers set email = 'nope' where id = $1`, [id])
		);
		expect(mapDbError(email)).toMatchObject({ status: 422, field: 'email' });
		const phone = await refusal(
			w.admin.query(`update public.influencers set phone = 'call me' where id = $1`, [id])
		);
		expect(mapDbError(phone)).toMatchObject({ status: 422, field: 'phone' });
	});

	it('tidies tags: trimmed, no blanks, no duplicates ignoring case', async () => {
		const id = await seedInfluencer(w, { name: 'Tags' });
		await w.admin.query(
			`update public.influencers set tags = array[' Beauty', 'beauty', '', 'Travel'] where id = $1`,
			[id]
		);
		const { rows } = await w.admin.query('select tags from public.influencers where id = $1', [id]);
		expect(rows[0]).toEqual({ tags: ['Beauty', 'Travel'] });
	});

	it('a member cannot stamp last contacted, nor read or write another organization', async () => {
		const id = await seedInfluencer(w, { name: 'Stamp' });
		const stamp = await refusal(
			w.as('member', (trx) =>
				sql`update public.influencers set last_contacted_at = now() where id = ${id}`.execute(trx)
			)
		);
		expect(stamp.code).toBe('42501');
		const read = await w.as('outsider', (trx) =>
			sql`select id from public.influencers where id = ${id}`.execute(trx)
		);
		expect(read.rows).toEqual([]);
		const write = await w.as('outsider', (trx) =>
			sql`update public.influencers set name = 'Taken' where id = ${id}`.execute(trx)
		);
		expect(write.numAffectedRows).toBe(0n);
		const insert = await refusal(
			w.as('outsider', (trx) =>
				sql`insert into public.influencers (org_id, name) values (${w.world.orgA}, 'Planted')`.execute(
					trx
				)
			)
		);
		expect(insert.code).toBe('42501');
	});
});

describe('outreach', () => {
	it('goes sending → sent once, stamps last contacted, and cannot be rewritten', async () => {
		const id = await seedInfluencer(w, { name: 'Outreach', email: 'outreach@example.com' });
		const logged = await w.as('member', (trx) =>
			sql<{
				id: string;
			}>`insert into public.influencer_outreach (org_id, influencer_id, subject, to_email)
			    values (${w.world.orgA}, ${id}, 'Hello', 'outreach@example.com') returning id`.execute(trx)
		);
		const outreachId = logged.rows[0]!.id;
		await w.as('member', (trx) =>
			sql`update public.influencer_outreach set status = 'sent' where id = ${outreachId}`.execute(
				trx
			)
		);
		const { rows } = await w.admin.query(
			`select o.sent_at is not null as sent, i.last_contacted_at = o.sent_at as stamped
			   from public.influencer_outreach o join public.influencers i on i.id = o.influencer_id where o.id = $1`,
			[outreachId]
		);
		expect(rows[0]).toEqual({ sent: true, stamped: true });
		const again = await refusal(
			w.as('member', (trx) =>
				sql`update public.influencer_outreach set status = 'failed' where id = ${outreachId}`.execute(
					trx
				)
			)
		);
		expect(again.hint).toBe('outreach_transition_refused');
		const forged = await refusal(
			w.as('member', (trx) =>
				sql`insert into public.influencer_outreach (org_id, influencer_id, subject, to_email, status)
				    values (${w.world.orgA}, ${id}, 'Hello', 'outreach@example.com', 'sent')`.execute(trx)
			)
		);
		expect(forged.code).toBe('42501');
	});
});
