// Dates and times as the organization reads them: "Wait until" is stored as an
// instant (the ISO string the engine compares with now) but chosen and shown as
// a wall-clock time in the organization's time zone (organizations.time_zone),
// never as a raw ISO string.
import { instantOf, offsetMs } from './cron.ts';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const pad = (n: number) => String(n).padStart(2, '0');

/** The value of a `datetime-local` input (`YYYY-MM-DDTHH:mm`) for an instant, in `timeZone`. */
export function toZonedInput(iso: string, timeZone: string): string {
	const ms = Date.parse(iso);
	if (Number.isNaN(ms)) return '';
	const wall = new Date(ms + offsetMs(ms, timeZone));
	return `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`;
}

/**
 * The instant (ISO, UTC) a `datetime-local` value names in `timeZone`, or null
 * when it is not a date and time. A time that a daylight-saving change skips
 * moves past the gap; a repeated one is its first occurrence (as schedules do).
 */
export function fromZonedInput(local: string, timeZone: string): string | null {
	const m = LOCAL.exec(local);
	if (!m) return null;
	const [year, month, day, hour, minute] = m.slice(1).map(Number) as [
		number,
		number,
		number,
		number,
		number
	];
	const wall = Date.UTC(year, month - 1, day, hour, minute);
	const check = new Date(wall);
	if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23) return null;
	return new Date(instantOf(wall, timeZone)).toISOString();
}

/** An instant in words in `timeZone`, e.g. "Fri, Jan 31, 2031, 9:00 AM". */
export function formatInZone(iso: string, timeZone: string): string {
	const ms = Date.parse(iso);
	if (Number.isNaN(ms)) return 'a date to choose';
	return new Date(ms).toLocaleString('en-US', {
		weekday: 'short',
		year: 'numeric',
		month: 'short',
		day: 'numeric',
		hour: 'numeric',
		minute: '2-digit',
		timeZone
	});
}

/** Tomorrow at `time` (HH:mm) in `timeZone`, as an instant: where a new "Wait until" starts. */
export function tomorrowAt(time: string, timeZone: string, now = new Date()): string {
	const today = toZonedInput(now.toISOString(), timeZone).slice(0, 10);
	const [y, m, d] = today.split('-').map(Number) as [number, number, number];
	const next = new Date(Date.UTC(y, m - 1, d + 1));
	const date = `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
	return fromZonedInput(`${date}T${time}`, timeZone)!;
}
