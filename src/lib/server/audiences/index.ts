// Audiences. Use as `import * as audiences from '$lib/server/audiences'`.
export {
	create,
	get,
	interests,
	list,
	audiencesReach,
	campaignReach,
	reach,
	reachOf,
	reachByChannel,
	remove,
	update,
	type Audience,
	type AudienceSummary,
	type Interest
} from './queries';
