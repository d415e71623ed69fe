// The brand lift statistics against the worked examples: the lift of
// 33 % exposed vs 30 % control with 1,000 answers each (z ≈ 1.44, p ≈ 0.15,
// not significant) and the sample size for +3 points on a 30 % baseline
// (3,763 per group at α 0.05 two-sided, power 0.8).
import { describe, expect, it } from 'vitest';
import { lift, MIN_ANSWERS } from '../../src/lib/brand-lift/lift.ts';
import { cdf, quantile } from '../../src/lib/brand-lift/normal.ts';
import { check, sampleSizePerGroup } from '../../src/lib/brand-lift/power.ts';

describe('normal distribution', () => {
	it('matches known values', () => {
		expect(cdf(0)).toBeCloseTo(0.5, 12);
		expect(cdf(1.959963984540054)).toBeCloseTo(0.975, 12);
		expect(cdf(-3)).toBeCloseTo(0.0013498980316301, 12);
		expect(1 - cdf(6)).toBeCloseTo(9.865876e-10, 14);
		expect(quantile(0.975)).toBeCloseTo(1.959963984540054, 10);
		expect(quantile(0.8)).toBeCloseTo(0.8416212335729143, 10);
		expect(quantile(0.95)).toBeCloseTo(1.6448536269514722, 10);
		expect(quantile(0.001)).toBeCloseTo(-3.090232306167813, 9);
	});
});

describe('lift', () => {
	it('33 % vs 30 % with 1,000 answers each: z ≈ 1.44, p ≈ 0.15, not significant', () => {
		const r = lift({ answered: 1000, positive: 330 }, { answered: 1000, positive: 300 });
		if (!r.enough) throw new Error('expected a result');
		expect(r.exposedRate).toBeCloseTo(0.33, 12);
		expect(r.controlRate).toBeCloseTo(0.3, 12);
		expect(r.absolute).toBeCloseTo(0.03, 12);
		expect(r.relative).toBeCloseTo(0.1, 12);
		expect(r.z).toBeCloseTo(1.444, 3);
		expect(r.pValue).toBeCloseTo(0.1487, 3);
		expect(r.significant).toBe(false);
		// 90 % interval: 0.03 ± 1.645 · √(.33·.67/1000 + .3·.7/1000) = 0.03 ± 0.0341.
		expect(r.low).toBeCloseTo(-0.00412, 4);
		expect(r.high).toBeCloseTo(0.06412, 4);
		expect(r.low).toBeLessThan(0);
	});

	it('a larger lift on more answers is significant, its interval above zero', () => {
		const r = lift({ answered: 5000, positive: 1750 }, { answered: 5000, positive: 1500 });
		if (!r.enough) throw new Error('expected a result');
		expect(r.significant).toBe(true);
		expect(r.pValue).toBeLessThan(0.001);
		expect(r.low).toBeGreaterThan(0);
	});

	it(`says not enough data below ${MIN_ANSWERS} answers in either group`, () => {
		expect(lift({ answered: 249, positive: 100 }, { answered: 1000, positive: 300 }).enough).toBe(
			false
		);
		expect(lift({ answered: 1000, positive: 100 }, { answered: 249, positive: 30 })).toEqual({
			enough: false,
			exposedRate: 0.1,
			controlRate: 30 / 249
		});
		expect(lift({ answered: 250, positive: 100 }, { answered: 250, positive: 30 }).enough).toBe(
			true
		);
		expect(lift({ answered: 0, positive: 0 }, { answered: 0, positive: 0 })).toEqual({
			enough: false,
			exposedRate: null,
			controlRate: null
		});
	});

	it('no variance (everyone positive in both groups) is a zero lift, not a division by zero', () => {
		const r = lift({ answered: 300, positive: 300 }, { answered: 300, positive: 300 });
		if (!r.enough) throw new Error('expected a result');
		expect(r.z).toBe(0);
		expect(r.pValue).toBe(1);
		expect(r.significant).toBe(false);
	});
});

describe('sample size', () => {
	it('3,763 per group for +3 points on 30 % at α 0.05 two-sided, power 0.8', () => {
		expect(sampleSizePerGroup({ baselinePercent: 30, liftPoints: 3 })).toBe(3763);
	});

	it('grows for smaller lifts and higher power', () => {
		const base = sampleSizePerGroup({ baselinePercent: 30, liftPoints: 3 });
		expect(sampleSizePerGroup({ baselinePercent: 30, liftPoints: 2 })).toBeGreaterThan(base);
		expect(sampleSizePerGroup({ baselinePercent: 30, liftPoints: 3, power: 0.9 })).toBeGreaterThan(
			base
		);
		expect(sampleSizePerGroup({ baselinePercent: 30, liftPoints: 10 })).toBeLessThan(base);
	});

	it('refuses a plan too small, with the numbers', () => {
		const v = check({ baselinePercent: 30, liftPoints: 3, plannedPerGroup: 2000 });
		expect(v.ok).toBe(false);
		expect(v.needed).toBe(3763);
		if (!v.ok) expect(v.message).toContain('3,763 per group');
		expect(check({ baselinePercent: 30, liftPoints: 3, plannedPerGroup: 3763 }).ok).toBe(true);
	});

	it('refuses impossible inputs', () => {
		expect(() => sampleSizePerGroup({ baselinePercent: 99, liftPoints: 3 })).toThrow(RangeError);
		expect(() => sampleSizePerGroup({ baselinePercent: 30, liftPoints: 0 })).toThrow(RangeError);
	});
});
