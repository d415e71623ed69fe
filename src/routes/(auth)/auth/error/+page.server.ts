import type { PageServerLoad } from './$types';
import { problemFor } from '$lib/server/auth';

export const load: PageServerLoad = ({ url }) => {
	const code = url.searchParams.get('error_code') ?? url.searchParams.get('error');
	return { problem: problemFor(code) };
};
