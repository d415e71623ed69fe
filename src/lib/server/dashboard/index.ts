// The organization's dashboard (/<org>): one summary per card, each from its
// module's rollups or exported functions, read in the request's RLS
// transaction. A module that lands later (campaigns, spend, inbox) adds its
// summary function here and its card component in
// src/lib/components/dashboard/. Use as `import * as dashboard from '$lib/server/dashboard'`.
import * as collaborations from '../collaborations/index.ts';
import * as files from '../files/index.ts';
import { orgFinance, type OrgFinance } from '../finance/summary.ts';
import * as segments from '../segments/index.ts';
import type { Trx } from '../db/rls.ts';
import { recentActivity, type Activity } from './activity.ts';
import { automationsSummary, type AutomationsSummary } from './automations.ts';
import { campaignsSummary, type CampaignsSummary } from './campaigns.ts';
import { catalogSummary, type CatalogSummary } from './catalog.ts';
import { checklist, type Checklist } from './checklist.ts';
import { contactsSummary, type ContactsSummary } from './contacts.ts';
import { dayOf } from './days.ts';
import { recentImports, type RecentImport } from './imports.ts';
import { influencersSummary, type InfluencersSummary } from './influencers.ts';
import { templatesSummary, type TemplatesSummary } from './templates.ts';
import { studiesSummary, type StudiesSummary } from './studies.ts';

export { describeAudit, type Activity } from './activity.ts';
export { CONTACT_DAYS, type ContactsSummary, type ContactStatusCounts } from './contacts.ts';
export {
	RUN_DAYS,
	type AutomationsSummary,
	type RunCounts,
	type RunOutcome
} from './automations.ts';
export type { Checklist, ChecklistStep } from './checklist.ts';
export type { CampaignsSummary } from './campaigns.ts';
export type { CatalogSummary } from './catalog.ts';
export type { RecentImport } from './imports.ts';
export type { TemplatesSummary } from './templates.ts';
export type { OrgFinance } from '../finance/summary.ts';
export type { StudiesSummary } from './studies.ts';
export type { InfluencersSummary } from './influencers.ts';

export type Dashboard = {
	/** The UTC day the numbers end with. */
	today: string;
	contacts: ContactsSummary;
	segments: Array<{ id: string; name: string; count: number }>;
	automations: AutomationsSummary;
	campaigns: CampaignsSummary;
	/** Products and audiences campaigns use. */
	catalog: CatalogSummary;
	imports: RecentImport[];
	activity: Activity[];
	/** What the organization stores in Files. */
	files: files.Usage;
	/** The organization's message templates by kind. */
	templates: TemplatesSummary;
	/** Spend this month against budgets, documents waiting for approval. */
	finance: OrgFinance;
	/** Influencers on campaigns: accepted, waiting for an answer, the latest. */
	collaborations: collaborations.ActiveCollaborations;
	/** The organization's brand lift studies: in review, live, the latest. */
	studies: StudiesSummary;
	/** Influencers in each column of the board. */
	influencers: InfluencersSummary;
	/** Null once every step is done (the card goes away). */
	checklist: Checklist | null;
};

/**
 * Everything the dashboard shows. The queries share the request's one
 * connection, so they run one after another; each reads a rollup or one
 * index range, so the whole stays in milliseconds at a million contacts
 * (bench/dashboard.ts).
 */
export async function load(trx: Trx, orgId: string, now = new Date()): Promise<Dashboard> {
	const today = dayOf(now);
	const contacts = await contactsSummary(trx, orgId, today);
	const steps = await checklist(trx, orgId, contacts.total);
	return {
		today,
		contacts,
		segments: await segments.largestSegments(trx, orgId, 5),
		automations: await automationsSummary(trx, orgId, today),
		campaigns: await campaignsSummary(trx, orgId),
		catalog: await catalogSummary(trx, orgId),
		imports: await recentImports(trx, orgId, 5),
		activity: await recentActivity(trx, orgId, 8),
		files: await files.usage(trx, orgId),
		templates: await templatesSummary(trx, orgId),
		finance: await orgFinance(trx, orgId),
		collaborations: await collaborations.activeSummary(trx, orgId),
		studies: await studiesSummary(trx, orgId),
		influencers: await influencersSummary(trx, orgId),
		checklist: Object.values(steps).every(Boolean) ? null : steps
	};
}
