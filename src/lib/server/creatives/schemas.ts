// What the creatives page posts: a file submitted against a brief requirement
// (a new deliverable, or a new version of one), a review decision, a comment.
// The database checks the same bounds again.
import { z } from 'zod';

/** An id that may be left out or posted empty (a hidden field with no value). */
const optionalUuid = (message: string) =>
	z.preprocess(
		(v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
		z.uuid(message).optional()
	);

export const submitSchema = z
	.object({
		requirement_id: z.uuid('Pick a line of the brief.'),
		asset_id: optionalUuid('Pick one of the deliverables.'),
		/** An influencer's content: the collaboration it is delivered for (the database checks it). */
		collaboration_id: optionalUuid('Pick one of the campaign’s influencers.'),
		title: z.string().trim().max(200, 'Keep the title under 200 characters.').default(''),
		file_id: z.uuid('Upload or choose a file first.'),
		note: z.string().trim().max(2000, 'Keep the note under 2,000 characters.').default('')
	})
	.superRefine((v, ctx) => {
		if (!v.asset_id && !v.title)
			ctx.addIssue({ code: 'custom', path: ['title'], message: 'Give the deliverable a title.' });
	});
export type SubmitInput = z.output<typeof submitSchema>;

export const reviewSchema = z.object({
	version_id: z.uuid('Pick a version to review.'),
	decision: z.enum(['approved', 'changes_requested'], 'Approve the version or ask for changes.'),
	comment: z.string().trim().max(5000, 'Keep the comment under 5,000 characters.').default('')
});
export type ReviewInput = z.output<typeof reviewSchema>;

export const commentSchema = z.object({
	version_id: z.uuid('Pick a version to comment on.'),
	parent_id: optionalUuid('Reply to a comment of this version.'),
	body: z
		.string()
		.trim()
		.min(1, 'Write a comment.')
		.max(5000, 'Keep the comment under 5,000 characters.')
});
export type CommentInput = z.output<typeof commentSchema>;

/** A posted form as a plain object of its text fields (files are never posted here). */
export function formFields(form: FormData): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of form) if (typeof value === 'string') out[key] = value;
	return out;
}
