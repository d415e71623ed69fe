// The campaigns timeline: three months from ?start=YYYY-MM (this month by
// default), one bar per campaign from its start to its end.
import * as campaigns from '$lib/server/campaigns';
import { throwHttp } from '../respond.server';
import type { PageServerLoad } from './$types';

const MONTHS = 3;

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const param = url.searchParams.get('start') ?? '';
	const now = new Date();
	const [y, m] = /^\d{4}-(0[1-9]|1[0-2])$/.test(param)
		? param.split('-').map(Number)
		: [now.getUTCFullYear(), now.getUTCMonth() + 1];
	const from = new Date(Date.UTC(y!, m! - 1, 1));
	const to = new Date(Date.UTC(y!, m! - 1 + MONTHS, 1));
	const rows = await locals.db((trx) => campaigns.timeline(trx, org.id, from, to)).catch(throwHttp);
	const shift = (months: number) => {
		const d = new Date(Date.UTC(y!, m! - 1 + months, 1));
		return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
	};
	return {
		from: from.toISOString(),
		to: to.toISOString(),
		rows,
		previous: shift(-MONTHS),
		next: shift(MONTHS)
	};
};
