// The kinds of brand lift question and their names on screen (shared by the
// server's schemas and the pages).
import { Constants } from '../database.types.ts';

export const QUESTION_KINDS = Constants.public.Enums.study_question_kind;

export const KIND_LABELS: Record<(typeof QUESTION_KINDS)[number], string> = {
	awareness: 'Awareness',
	ad_recall: 'Ad recall',
	consideration: 'Consideration',
	favourability: 'Favourability',
	purchase_intent: 'Purchase intent'
};
