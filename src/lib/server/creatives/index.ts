// The creatives module: a campaign's brief with its deliverables, their
// versions and reviews, and the comments on them.
// Use as a namespace: `import * as creatives from '$lib/server/creatives'`.
export {
	load,
	waitingForReview,
	type CreativeAsset,
	type CreativeComment,
	type CreativeRequirement,
	type CreativeVersion,
	type ReviewStatus
} from './brief.ts';
export { BUCKET, comment, folderOf, review, submit } from './review.ts';
export { CreativeInputError, CreativePermissionError } from './errors.ts';
export {
	commentSchema,
	formFields,
	reviewSchema,
	submitSchema,
	type CommentInput,
	type ReviewInput,
	type SubmitInput
} from './schemas.ts';
