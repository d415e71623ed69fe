// What every wizard step component receives: the section's values (bound,
// saved as they change), the field errors to show ('kpis.0.target' → message),
// and the organization's pickers. A step of another module (audience, creative
// brief, products) plugs in with the same props.
export type AudienceOption = {
	id: string;
	name: string;
	description: string;
	summary: string;
	/** Contacts it reaches on a message campaign's channel (null for influencer campaigns). */
	reach: number | null;
};

export type ProductOption = {
	id: string;
	name: string;
	sku: string;
	price: string;
	currency: string;
};

export type StepContext = {
	kind: import('$lib/campaigns/steps').CampaignKind;
	brands: { id: string; name: string }[];
	/** The organization's audiences (loaded for the audience step and the review). */
	audiences: AudienceOption[];
	/** The catalogue's products that are not archived (products step and review). */
	products: ProductOption[];
	currencies: { code: string; name: string }[];
	timeZones: string[];
	orgTimeZone: string;
	orgSlug: string;
	campaignId: string;
};

export type StepProps = {
	values: Record<string, unknown>;
	errors: Record<string, string>;
	context: StepContext;
	disabled: boolean;
};
