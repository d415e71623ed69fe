// The organization's finance settings: base currency, approval rule and its
// own exchange rates. Everyone in the organization sees them; holders of
// org.settings change them (RLS decides; a forged post by anyone else is a 403).
import { error, fail } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { failFromDb, refused } from '$lib/server/db';
import * as finance from '$lib/server/finance';
import * as orgs from '$lib/server/orgs';
import { throwHttp } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const found = await locals
		.db(async (trx) => ({
			settings: await finance.settings(trx, org.id),
			rates: await finance.rates(trx, org.id)
		}))
		.catch(throwHttp);
	if (!found.settings) error(404, 'Organization not found.');
	const s = found.settings;
	return {
		settings: s,
		rates: found.rates,
		settingsForm: await superValidate(
			{
				baseCurrency: s.baseCurrency as finance.FinanceSettingsInput['baseCurrency'],
				approvalsRequired: s.approvalsRequired,
				adminAbove: s.adminAbove === null ? '' : String(Number(s.adminAbove))
			},
			zod4(finance.financeSettingsSchema),
			{ id: 'settings', errors: false }
		),
		rateForm: await superValidate(
			{
				toCurrency: s.baseCurrency as finance.RateInput['toCurrency'],
				rateDate: new Date().toISOString().slice(0, 10)
			},
			zod4(finance.rateSchema),
			{ id: 'rate', errors: false }
		)
	};
};

export const actions: Actions = {
	settings: async (event) => {
		const form = await superValidate(event.request, zod4(finance.financeSettingsSchema), {
			id: 'settings'
		});
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) => finance.saveSettings(trx, org.id, form.data));
		} catch (e) {
			if (e instanceof finance.FinanceSettingsDeniedError) return refused(form, e.message);
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: 'Finance settings saved.' });
	},
	rate: async (event) => {
		const form = await superValidate(event.request, zod4(finance.rateSchema), { id: 'rate' });
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) => finance.saveRate(trx, org.id, form.data));
		} catch (e) {
			return failFromDb(form, e);
		}
		return message(form, {
			tone: 'success',
			text: `Rate saved: 1 ${form.data.fromCurrency} = ${form.data.rate} ${form.data.toCurrency} from ${form.data.rateDate}.`
		});
	},
	removeRate: async (event) => {
		const form = await superValidate(event.request, zod4(finance.rateKeySchema), {
			id: 'remove'
		});
		if (!form.valid) return fail(400, { form });
		try {
			const removed = await orgs.withOrg(event, (trx, org) =>
				finance.removeRate(trx, org.id, form.data)
			);
			if (!removed) return refused(form, 'That rate is not yours to remove, or is already gone.');
		} catch (e) {
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: 'Rate removed.' });
	}
};
