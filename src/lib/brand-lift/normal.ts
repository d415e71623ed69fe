// The standard normal distribution, for the brand lift statistics: its
// cumulative distribution (p-values) and its inverse (critical values of a
// confidence level or a power). Plain functions, no dependencies.

/** Φ(x): the probability that a standard normal value is below x (error below 1e-14). */
export function cdf(x: number): number {
	// Φ(x) = erfc(-x/√2)/2, with erfc from its continued fraction for large |x|
	// and its series for small |x|.
	return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
	if (x < 0) return 2 - erfc(-x);
	if (x < 2) return 1 - erfSeries(x);
	// Lentz's continued fraction: erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))).
	const tiny = 1e-300;
	let f = x;
	let c = x;
	let d = 0;
	for (let i = 1; i < 500; i++) {
		const a = i / 2;
		d = x + a * d;
		d = d === 0 ? tiny : 1 / d;
		c = x + a / c;
		if (c === 0) c = tiny;
		const delta = c * d;
		f *= delta;
		if (Math.abs(delta - 1) < 1e-16) break;
	}
	return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

function erfSeries(x: number): number {
	// erf(x) = 2/√π · Σ (-1)ⁿ x^(2n+1) / (n! (2n+1))
	let sum = x;
	let term = x;
	for (let n = 1; n < 200; n++) {
		term *= (-x * x) / n;
		const next = term / (2 * n + 1);
		sum += next;
		if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
	}
	return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Φ⁻¹(p): the value below which a standard normal falls with probability p (0 < p < 1). */
export function quantile(p: number): number {
	if (!(p > 0 && p < 1)) throw new RangeError('quantile needs 0 < p < 1');
	// Acklam's rational approximation, refined by two Newton steps on cdf.
	const a = [
		-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
		-3.066479806614716e1, 2.506628277459239
	];
	const b = [
		-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
		-1.328068155288572e1
	];
	const c = [
		-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
		4.374664141464968, 2.938163982698783
	];
	const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
	const low = 0.02425;
	let x: number;
	if (p < low) {
		const q = Math.sqrt(-2 * Math.log(p));
		x =
			(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
			((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
	} else if (p <= 1 - low) {
		const q = p - 0.5;
		const r = q * q;
		x =
			((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
			(((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
	} else {
		const q = Math.sqrt(-2 * Math.log(1 - p));
		x =
			-(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
			((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
	}
	for (let i = 0; i < 2; i++) {
		const density = Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
		x -= (cdf(x) - p) / density;
	}
	return x;
}
