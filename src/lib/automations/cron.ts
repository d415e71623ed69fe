// Five-field cron expressions (minute hour day-of-month month day-of-week), in
// UTC, for schedule triggers: `*`, lists, ranges and steps (`*/15`, `1-5`,
// `0,30`). Day-of-month and day-of-week combine as in Vixie cron: when both
// are restricted, either may match.

export type Cron = {
	minutes: Set<number>;
	hours: Set<number>;
	days: Set<number>;
	months: Set<number>;
	weekdays: Set<number>;
	anyDay: boolean;
	anyWeekday: boolean;
};

const FIELDS = [
	{ name: 'minute', min: 0, max: 59 },
	{ name: 'hour', min: 0, max: 23 },
	{ name: 'day of month', min: 1, max: 31 },
	{ name: 'month', min: 1, max: 12 },
	{ name: 'day of week', min: 0, max: 7 }
] as const;

export class CronError extends Error {
	override readonly name = 'CronError';
}

function parseField(source: string, index: number): Set<number> {
	const { name, min, max } = FIELDS[index]!;
	const values = new Set<number>();
	for (const part of source.split(',')) {
		const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
		if (!match) throw new CronError(`The ${name} field "${source}" is not valid.`);
		const [, whole, from, to, every] = match;
		const step = every === undefined ? 1 : Number(every);
		let lo = whole === '*' ? min : Number(from);
		let hi = whole === '*' ? max : to === undefined ? (every === undefined ? lo : max) : Number(to);
		if (lo < min || hi > max || lo > hi || step < 1) {
			throw new CronError(`The ${name} field "${source}" is out of range (${min}–${max}).`);
		}
		if (index === 4) {
			// 7 is Sunday too.
			lo = Math.min(lo, 7);
			hi = Math.min(hi, 7);
		}
		for (let v = lo; v <= hi; v += step) values.add(index === 4 && v === 7 ? 0 : v);
	}
	return values;
}

export function parseCron(expression: string): Cron {
	const parts = expression.trim().split(/\s+/);
	if (parts.length !== 5) {
		throw new CronError('Use five fields: minute hour day-of-month month day-of-week.');
	}
	const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(p, i)) as [
		Set<number>,
		Set<number>,
		Set<number>,
		Set<number>,
		Set<number>
	];
	return {
		minutes,
		hours,
		days,
		months,
		weekdays,
		anyDay: parts[2] === '*',
		anyWeekday: parts[4] === '*'
	};
}

function dayMatches(cron: Cron, date: Date): boolean {
	const dom = cron.days.has(date.getUTCDate());
	const dow = cron.weekdays.has(date.getUTCDay());
	if (cron.anyDay && cron.anyWeekday) return true;
	if (cron.anyDay) return dow;
	if (cron.anyWeekday) return dom;
	return dom || dow;
}

/** The first minute strictly after `after` that the expression matches (within 5 years), else null. */
export function nextFire(cron: Cron, after: Date): Date | null {
	const t = new Date(after.getTime());
	t.setUTCSeconds(0, 0);
	t.setUTCMinutes(t.getUTCMinutes() + 1);
	const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
	while (t.getTime() <= limit) {
		if (!cron.months.has(t.getUTCMonth() + 1)) {
			t.setUTCMonth(t.getUTCMonth() + 1, 1);
			t.setUTCHours(0, 0);
			continue;
		}
		if (!dayMatches(cron, t)) {
			t.setUTCDate(t.getUTCDate() + 1);
			t.setUTCHours(0, 0);
			continue;
		}
		if (!cron.hours.has(t.getUTCHours())) {
			t.setUTCHours(t.getUTCHours() + 1, 0);
			continue;
		}
		if (!cron.minutes.has(t.getUTCMinutes())) {
			t.setUTCMinutes(t.getUTCMinutes() + 1);
			continue;
		}
		return t;
	}
	return null;
}

/** Why an expression is refused, or null when it is fine. */
export function cronProblem(expression: string): string | null {
	try {
		const cron = parseCron(expression);
		return nextFire(cron, new Date(0)) ? null : 'This schedule never fires.';
	} catch (error) {
		if (error instanceof CronError) return error.message;
		throw error;
	}
}
