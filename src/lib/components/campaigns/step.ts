// What every wizard step component receives: the section's values (bound,
// saved as they change), the field errors to show ('kpis.0.target' → message),
// and the organization's pickers. A step of another module (audience, creative
// brief, products) plugs in with the same props.
export type StepContext = {
	brands: { id: string; name: string }[];
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
