// Zod schemas of the brand lift forms, shared by loads and actions.
import { z } from 'zod';
import { QUESTION_KINDS } from '../../brand-lift/kinds.ts';

export { KIND_LABELS, QUESTION_KINDS } from '../../brand-lift/kinds.ts';

export const designSchema = z.object({
	name: z.string().trim().min(1, 'Give the study a name.').max(120),
	holdout_percent: z.coerce
		.number({ message: 'Enter a percentage.' })
		.min(1, 'Hold out at least 1 %.')
		.max(50, 'Hold out at most 50 %.'),
	baseline_percent: z.coerce
		.number({ message: 'Enter a percentage.' })
		.min(1, 'The baseline is between 1 and 95 %.')
		.max(95, 'The baseline is between 1 and 95 %.'),
	target_lift_points: z.coerce
		.number({ message: 'Enter a number of points.' })
		.min(0.5, 'Aim for a lift of at least 0.5 points.')
		.max(50, 'A lift of more than 50 points is not realistic.'),
	planned_sample: z.coerce
		.number({ message: 'Enter a number of answers.' })
		.int('Enter a whole number of answers.')
		.min(10, 'Plan at least 10 answers per group.')
		.max(10_000_000, 'Plan at most 10,000,000 answers per group.')
});
export type DesignInput = z.infer<typeof designSchema>;

export const questionSchema = z.object({
	kind: z.enum(QUESTION_KINDS, { message: 'Choose what the question measures.' }),
	prompt: z.string().trim().min(1, 'Write the question.').max(300),
	multiple: z.coerce.boolean().default(false),
	/** One option per line; a line starting with "+" counts as a positive answer. */
	options: z
		.string()
		.max(4000)
		.transform((text) =>
			text
				.split('\n')
				.map((l) => l.trim())
				.filter(Boolean)
				.map((l) => ({
					positive: l.startsWith('+'),
					label: l.replace(/^\+\s*/, '').slice(0, 200)
				}))
				.filter((o) => o.label.length > 0)
		)
		.refine((o) => o.length >= 2 && o.length <= 20, 'Give between 2 and 20 answers, one per line.')
		.refine(
			(o) => o.some((x) => x.positive),
			'Mark at least one answer as positive (start its line with +).'
		)
});
export type QuestionInput = z.infer<typeof questionSchema>;

export const commentSchema = z.object({
	body: z.string().trim().min(1, 'Write a comment.').max(4000),
	parent_id: z
		.uuid()
		.optional()
		.or(z.literal('').transform(() => undefined))
});

/** The survey form: question id → chosen option ids, and the honeypot. */
export const surveyAnswersSchema = z
	.record(z.uuid(), z.array(z.uuid()).max(20))
	.refine((r) => Object.keys(r).length <= 100, 'Too many answers.');
