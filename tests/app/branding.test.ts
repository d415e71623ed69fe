// An organization's branding as the workspace applies it
// (src/lib/components/shell/branding.ts): readable buttons whatever the
// colour, and nothing but checked values in the style sheet.
import { describe, expect, it } from 'vitest';
import {
	brandingCss,
	contrastWithWhite,
	readablePrimary
} from '../../src/lib/components/shell/branding.ts';

const branding = (primaryColor: string, fontFamily = 'Lato') => ({
	primaryColor,
	fontFamily,
	logoUrl: null
});

describe('readablePrimary', () => {
	it('keeps a colour white text is readable on', () => {
		expect(readablePrimary('#4f46e5')).toBe('#4f46e5');
		expect(readablePrimary('#047857')).toBe('#047857');
	});

	it('darkens a light colour until white text on it reaches 4.5:1', () => {
		for (const light of ['#ffff00', '#ffffff', '#0ea5e9', '#f59e0b']) {
			const out = readablePrimary(light);
			expect(out).not.toBe(light);
			expect(contrastWithWhite(out)).toBeGreaterThanOrEqual(4.5);
		}
	});
});

describe('brandingCss', () => {
	it('turns the primary colour into the brand scale and the font into the sans-serif', () => {
		const css = brandingCss(branding('#047857'));
		expect(css).toMatch(/^:root \{ .* \}$/);
		expect(css).toContain('--color-brand-600: #047857');
		expect(css).toContain('--color-brand-50: color-mix(in oklch, #047857 8%, white)');
		expect(css).toContain("--font-sans: 'Lato', ");
	});

	it('keeps the defaults without branding or with values that are not checked ones', () => {
		expect(brandingCss(null)).toBe('');
		expect(brandingCss(branding('red; } body { display: none'))).toBe('');
		expect(brandingCss(branding('#04785'))).toBe('');
		const css = brandingCss(branding('#047857', "x'; } </style><script>"));
		expect(css).not.toContain('--font-sans');
		expect(css).not.toContain('<');
	});
});
