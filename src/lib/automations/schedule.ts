// Schedules as a marketer sets them ("every weekday at 09:00"), stored as the
// five-field cron the worker reads. A cron the simple forms cannot show stays
// as it is, under "custom".

export type Schedule =
	| { kind: 'daily'; time: string }
	| { kind: 'weekly'; days: number[]; time: string }
	| { kind: 'monthly'; day: number; time: string }
	| { kind: 'custom'; cron: string };

export const WEEKDAYS = [
	'Sunday',
	'Monday',
	'Tuesday',
	'Wednesday',
	'Thursday',
	'Friday',
	'Saturday'
] as const;

const number = (text: string, min: number, max: number): number | null => {
	if (!/^\d{1,2}$/.test(text)) return null;
	const n = Number(text);
	return n >= min && n <= max ? n : null;
};

const pad = (n: number) => String(n).padStart(2, '0');

/** The simple form of a cron expression, or "custom" when it has none. */
export function scheduleFromCron(cron: string): Schedule {
	const parts = cron.trim().split(/\s+/);
	const custom: Schedule = { kind: 'custom', cron };
	if (parts.length !== 5) return custom;
	const [m, h, dom, month, dow] = parts as [string, string, string, string, string];
	const minute = number(m, 0, 59);
	const hour = number(h, 0, 23);
	if (minute === null || hour === null || month !== '*') return custom;
	const time = `${pad(hour)}:${pad(minute)}`;
	if (dom === '*' && dow === '*') return { kind: 'daily', time };
	if (dom === '*') {
		const days = dayList(dow);
		return days ? { kind: 'weekly', days, time } : custom;
	}
	if (dow === '*') {
		const day = number(dom, 1, 31);
		return day === null ? custom : { kind: 'monthly', day, time };
	}
	return custom;
}

/** "1-5" or "1,3,5" as sorted weekdays (0 = Sunday), or null for anything else. */
function dayList(field: string): number[] | null {
	const days = new Set<number>();
	for (const part of field.split(',')) {
		const range = /^(\d)(?:-(\d))?$/.exec(part);
		if (!range) return null;
		const from = Number(range[1]);
		const to = range[2] === undefined ? from : Number(range[2]);
		if (from > 7 || to > 7 || from > to) return null;
		for (let d = from; d <= to; d++) days.add(d % 7);
	}
	return [...days].sort((a, b) => a - b);
}

/** Weekdays as a cron field: runs of three or more as a range ("1-5"). */
function dayField(days: readonly number[]): string {
	const sorted = [...new Set(days)].sort((a, b) => a - b);
	const out: string[] = [];
	for (let i = 0; i < sorted.length;) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
		if (j - i >= 2) out.push(`${sorted[i]}-${sorted[j]}`);
		else for (let k = i; k <= j; k++) out.push(String(sorted[k]));
		i = j + 1;
	}
	return out.join(',');
}

function timeFields(time: string): [number, number] {
	const match = /^(\d{1,2}):(\d{2})$/.exec(time);
	const hour = match ? Math.min(23, Number(match[1])) : 9;
	const minute = match ? Math.min(59, Number(match[2])) : 0;
	return [minute, hour];
}

/** The cron expression a simple schedule stands for. */
export function cronFromSchedule(schedule: Schedule): string {
	if (schedule.kind === 'custom') return schedule.cron;
	const [minute, hour] = timeFields(schedule.time);
	switch (schedule.kind) {
		case 'daily':
			return `${minute} ${hour} * * *`;
		case 'weekly':
			return `${minute} ${hour} * * ${schedule.days.length ? dayField(schedule.days) : '1'}`;
		case 'monthly':
			return `${minute} ${hour} ${Math.min(31, Math.max(1, schedule.day))} * *`;
	}
}

function list(words: string[]): string {
	if (words.length <= 1) return words.join('');
	return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function ordinal(n: number): string {
	if (n % 100 >= 11 && n % 100 <= 13) return `${n}th`;
	return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** A schedule in words, e.g. "Every Monday at 09:00" or "Every weekday at 08:30". */
export function describeSchedule(cron: string): string {
	const s = scheduleFromCron(cron);
	switch (s.kind) {
		case 'daily':
			return `Every day at ${s.time}`;
		case 'weekly': {
			const key = s.days.join(',');
			if (key === '1,2,3,4,5') return `Every weekday at ${s.time}`;
			if (key === '0,6') return `Every weekend day at ${s.time}`;
			if (key === '0,1,2,3,4,5,6') return `Every day at ${s.time}`;
			return `Every ${list(s.days.map((d) => WEEKDAYS[d]!))} at ${s.time}`;
		}
		case 'monthly':
			return `On the ${ordinal(s.day)} of every month at ${s.time}`;
		case 'custom':
			return `Custom schedule (${s.cron})`;
	}
}
