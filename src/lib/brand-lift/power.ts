// The power calculator of a brand lift study: how many answers each group
// (exposed, control) needs for a two-proportion z-test to detect a lift of
// the target size over the expected baseline. Used live on the setup page and
// by the server before a launch; the database checks the same formula at
// α 0.05 two-sided, power 0.8 (private.study_sample_size).
import { quantile } from './normal.ts';

export type PowerInput = {
	/** The positive rate expected without the campaign, in percent (e.g. 30). */
	baselinePercent: number;
	/** The smallest lift worth detecting, in percentage points (e.g. 3). */
	liftPoints: number;
	/** Significance level, two-sided (default 0.05). */
	alpha?: number;
	/** Chance of detecting a true lift of that size (default 0.8). */
	power?: number;
};

/**
 * Answers per group: n = (z₁₋α/₂·√(2·p̄·q̄) + z₁₋β·√(p₁q₁ + p₂q₂))² / (p₂ − p₁)²,
 * rounded up (3,763 for +3 points on 30 % at α 0.05 two-sided and power 0.8).
 */
export function sampleSizePerGroup({
	baselinePercent,
	liftPoints,
	alpha = 0.05,
	power = 0.8
}: PowerInput): number {
	const p1 = baselinePercent / 100;
	const p2 = (baselinePercent + liftPoints) / 100;
	if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && liftPoints > 0)) {
		throw new RangeError(
			'The baseline and the baseline plus the lift must be between 0 and 100 %.'
		);
	}
	const zAlpha = quantile(1 - alpha / 2);
	const zBeta = quantile(power);
	const mean = (p1 + p2) / 2;
	const root =
		zAlpha * Math.sqrt(2 * mean * (1 - mean)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
	// Rounded to 9 digits first so that a float error cannot push an exact integer up by one.
	return Math.ceil(Number(((root * root) / ((p2 - p1) * (p2 - p1))).toFixed(9)));
}

export type PowerVerdict =
	| { ok: true; needed: number; planned: number }
	| { ok: false; needed: number; planned: number; message: string };

/** Whether a planned sample per group can detect the target lift, with the numbers. */
export function check(input: PowerInput & { plannedPerGroup: number }): PowerVerdict {
	const needed = sampleSizePerGroup(input);
	const planned = input.plannedPerGroup;
	if (planned >= needed) return { ok: true, needed, planned };
	return {
		ok: false,
		needed,
		planned,
		message: `${planned.toLocaleString('en')} answers per group cannot detect a lift of ${input.liftPoints} points on a ${input.baselinePercent}% baseline: it needs ${needed.toLocaleString('en')} per group (95% confidence, 80% power).`
	};
}
