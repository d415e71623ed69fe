// The list writes its dates as Date#toISOString does, without calling it (150
// calls a page were the list's largest cost after the query): the same text for
// every date, the millisecond padding, the years it leaves to the built-in, and
// an invalid date still refused.
import { expect, it } from 'vitest';
import { isoString } from '../../src/lib/server/campaigns/list.ts';

it('writes every date exactly as toISOString', () => {
	const dates = [
		0,
		Date.UTC(1000, 0, 1),
		Date.UTC(2025, 0, 1),
		Date.UTC(2025, 11, 31, 23, 59, 59, 999),
		Date.UTC(2024, 1, 29, 4, 5, 6, 7),
		Date.UTC(2026, 8, 9, 10, 11, 12, 30),
		Date.UTC(9999, 11, 31, 23, 59, 59, 999)
	];
	// And a spread of ordinary ones, with every millisecond width.
	for (let i = 0; i < 5000; i++) dates.push(Date.UTC(2020, 0, 1) + i * 7_919_123 + (i % 1000));
	for (const t of dates) expect(isoString(new Date(t))).toBe(new Date(t).toISOString());
});

it('leaves years outside 1000–9999 to the built-in, and refuses an invalid date as it does', () => {
	for (const t of [
		Date.UTC(999, 11, 31),
		Date.UTC(-1, 0, 1),
		Date.UTC(10000, 0, 1),
		-8.64e15,
		8.64e15
	])
		expect(isoString(new Date(t))).toBe(new Date(t).toISOString());
	expect(() => isoString(new Date(NaN))).toThrow(RangeError);
});
