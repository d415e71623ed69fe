// The lift of one brand lift question: the positive rate of the exposed group
// against the control group's, the absolute and relative lift, a 90 %
// confidence interval of the absolute lift and the p-value of a two-sided
// two-proportion z-test. Below MIN_ANSWERS answers in either group the result
// says "not enough data" rather than a number people would over-read.
import { cdf, quantile } from './normal.ts';

/** Answers per group below which a question's lift is not reported. */
export const MIN_ANSWERS = 250;
/** The confidence level of the interval shown. */
export const CONFIDENCE = 0.9;
/** The p-value under which a lift is called significant (matches the 90 % interval). */
export const SIGNIFICANCE = 0.1;

export type GroupCounts = { answered: number; positive: number };

export type Lift =
	| { enough: false; exposedRate: number | null; controlRate: number | null }
	| {
			enough: true;
			exposedRate: number;
			controlRate: number;
			/** exposed − control, as a proportion (0.03 = 3 points). */
			absolute: number;
			/** absolute / control rate (null when the control rate is 0). */
			relative: number | null;
			/** 90 % confidence interval of the absolute lift. */
			low: number;
			high: number;
			z: number;
			pValue: number;
			significant: boolean;
	  };

const rate = (g: GroupCounts) => (g.answered > 0 ? g.positive / g.answered : null);

export function lift(exposed: GroupCounts, control: GroupCounts): Lift {
	if (exposed.answered < MIN_ANSWERS || control.answered < MIN_ANSWERS) {
		return { enough: false, exposedRate: rate(exposed), controlRate: rate(control) };
	}
	const p1 = exposed.positive / exposed.answered;
	const p0 = control.positive / control.answered;
	const absolute = p1 - p0;
	// The test pools the two groups (under "no lift" they share one rate);
	// the interval does not.
	const pooled = (exposed.positive + control.positive) / (exposed.answered + control.answered);
	const seTest = Math.sqrt(pooled * (1 - pooled) * (1 / exposed.answered + 1 / control.answered));
	const z = seTest > 0 ? absolute / seTest : 0;
	const pValue = seTest > 0 ? 2 * (1 - cdf(Math.abs(z))) : 1;
	const se = Math.sqrt((p1 * (1 - p1)) / exposed.answered + (p0 * (1 - p0)) / control.answered);
	const margin = quantile(1 - (1 - CONFIDENCE) / 2) * se;
	return {
		enough: true,
		exposedRate: p1,
		controlRate: p0,
		absolute,
		relative: p0 > 0 ? absolute / p0 : null,
		low: absolute - margin,
		high: absolute + margin,
		z,
		pValue,
		significant: pValue < SIGNIFICANCE
	};
}
