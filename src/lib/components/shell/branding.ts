// An organization's branding, applied to its workspace: the primary colour
// becomes the app's brand scale (buttons, links, focus rings) and the font the
// app's sans-serif. White text sits on brand-600 everywhere, so a light
// primary is darkened until that text stays readable (WCAG AA, 4.5:1).
import { FONTS, HEX_COLOR } from '$lib/schemas/orgs';

export type ShellBranding = { primaryColor: string; fontFamily: string; logoUrl: string | null };

const FALLBACK = `ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif`;

const channels = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** Relative luminance (WCAG 2) of #rrggbb. */
function luminance(hex: string): number {
	const [r, g, b] = channels(hex).map((c) => {
		const s = c / 255;
		return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
	});
	return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Contrast of white text on the colour. */
export const contrastWithWhite = (hex: string) => 1.05 / (luminance(hex) + 0.05);

/** The colour, darkened in 5% steps until white text on it reaches 4.5:1. */
export function readablePrimary(hex: string): string {
	let rgb = channels(hex);
	let out = hex;
	while (contrastWithWhite(out) < 4.5) {
		rgb = rgb.map((c) => Math.floor(c * 0.95));
		out = '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
	}
	return out;
}

/**
 * The CSS custom properties for the workspace, or '' to keep the defaults.
 * Values are checked again here because they end up in a style sheet.
 */
export function brandingCss(branding: ShellBranding | null): string {
	if (!branding || !HEX_COLOR.test(branding.primaryColor)) return '';
	const p = readablePrimary(branding.primaryColor);
	const mix = (percent: number, other: 'white' | 'black') =>
		`color-mix(in oklch, ${p} ${percent}%, ${other})`;
	const vars = [
		`--color-brand-50: ${mix(8, 'white')}`,
		`--color-brand-100: ${mix(16, 'white')}`,
		`--color-brand-200: ${mix(32, 'white')}`,
		`--color-brand-500: ${mix(85, 'white')}`,
		`--color-brand-600: ${p}`,
		`--color-brand-700: ${mix(85, 'black')}`,
		`--color-brand-900: ${mix(55, 'black')}`
	];
	if ((FONTS as readonly string[]).includes(branding.fontFamily))
		vars.push(`--font-sans: '${branding.fontFamily}', ${FALLBACK}`);
	return `:root { ${vars.join('; ')}; }`;
}
