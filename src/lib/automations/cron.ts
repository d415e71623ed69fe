// Five-field cron expressions (minute hour day-of-month month day-of-week), read
// in the organization's time zone (an IANA name; UTC when it has none), for
// schedule triggers: `*`, lists, ranges and steps (`*/15`, `1-5`,
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

/**
 * The first minute strictly after `after` that the expression matches (within 5
 * years), else null. The fields are wall-clock time in `timeZone`: a time that
 * a daylight-saving change skips fires just after the gap (02:30 becomes 03:30),
 * and a time that the change repeats fires once, at its first occurrence.
 */
export function nextFire(cron: Cron, after: Date, timeZone = 'UTC'): Date | null {
	if (timeZone === 'UTC') return nextWall(cron, after);
	// Walk wall-clock times (kept in a Date's UTC fields) and map each to an instant.
	let wall = new Date(after.getTime() + offsetMs(after.getTime(), timeZone));
	for (let i = 0; i < 1000; i++) {
		const next = nextWall(cron, wall);
		if (!next) return null;
		const at = instantOf(next.getTime(), timeZone);
		if (at > after.getTime()) return new Date(at);
		wall = next;
	}
	return null;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone`'s wall clock is ahead of UTC at the instant `ms`. */
export function offsetMs(ms: number, timeZone: string): number {
	let format = formats.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric'
		});
		formats.set(timeZone, format);
	}
	const part = Object.fromEntries(
		format.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)])
	) as Record<string, number>;
	const wall = Date.UTC(part.year!, part.month! - 1, part.day, part.hour, part.minute, part.second);
	return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time (as UTC fields of `wall`) names in `timeZone`; the first if two do. */
export function instantOf(wall: number, timeZone: string): number {
	const before = offsetMs(wall - 86_400_000, timeZone);
	const after = offsetMs(wall + 86_400_000, timeZone);
	const fits = [before, after]
		.map((o) => wall - o)
		.filter((t) => t + offsetMs(t, timeZone) === wall)
		.sort((a, b) => a - b);
	// In a gap no instant has this wall time: the offset from before the change puts it after the gap.
	return fits[0] ?? wall - before;
}

/** True when `timeZone` is a zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone });
		return true;
	} catch {
		return false;
	}
}

function nextWall(cron: Cron, after: Date): Date | null {
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
