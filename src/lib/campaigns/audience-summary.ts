// One line saying whom a saved audience targets, in a marketer's words
// ("Germany, Austria · 18-24, 25-34 · 3 interests · 2 segments"), for the
// wizard's audience picker and the campaign overview.
import { countryName } from '../iso.ts';

export type AudienceShape = {
	countries: string[];
	ageRanges: string[];
	interests: number;
	segments: number;
};

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function audienceSummary(a: AudienceShape): string {
	const places =
		a.countries.length === 0
			? 'Anywhere'
			: a.countries.length <= 3
				? a.countries.map(countryName).join(', ')
				: `${a.countries.slice(0, 2).map(countryName).join(', ')} and ${a.countries.length - 2} more`;
	const parts = [places, a.ageRanges.length ? a.ageRanges.join(', ') : 'all ages'];
	if (a.interests) parts.push(count(a.interests, 'interest', 'interests'));
	if (a.segments) parts.push(count(a.segments, 'segment', 'segments'));
	return parts.join(' · ');
}
