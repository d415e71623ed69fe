// Days as the rollups count them: UTC calendar days, as 'YYYY-MM-DD'.
const DAY = 86_400_000;

/** 'YYYY-MM-DD' of a moment, in UTC. */
export function dayOf(at: Date): string {
	return at.toISOString().slice(0, 10);
}

/** The `count` days ending with `today`, oldest first. */
export function lastDays(today: string, count: number): string[] {
	const end = Date.parse(`${today}T00:00:00Z`);
	return Array.from({ length: count }, (_, i) => dayOf(new Date(end - (count - 1 - i) * DAY)));
}
