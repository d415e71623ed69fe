// Which kind of file a creative is, and whether a brief requirement takes it.
// Shared by the page (checked as soon as a file is picked) and the server
// (checked again before the database, which refuses it a third time:
// private.creative_versions_before_insert uses the same rule).

export type CreativeKind = 'image' | 'video' | 'audio' | 'pdf';

const WORDS: Record<CreativeKind, { one: string; many: string }> = {
	image: { one: 'an image', many: 'images' },
	video: { one: 'a video', many: 'videos' },
	audio: { one: 'an audio file', many: 'audio files' },
	pdf: { one: 'a PDF', many: 'PDFs' }
};

/** The kind of a file by its type, as the database reads it (application/pdf is a PDF). */
export function creativeKind(mimeType: string | null | undefined): string {
	const type = (mimeType ?? '').toLowerCase();
	return type === 'application/pdf' ? 'pdf' : (type.split('/')[0] ?? '');
}

/** The kinds in words: "images or videos". */
export function kindsInWords(kinds: readonly string[]): string {
	return kinds.map((k) => WORDS[k as CreativeKind]?.many ?? k).join(' or ');
}

/**
 * Why a file does not fit a requirement, in a marketer's words, or null when
 * it does (a requirement with no kinds takes anything the bucket stores).
 */
export function kindProblem(
	acceptedKinds: readonly string[],
	mimeType: string | null | undefined,
	fileName: string
): string | null {
	if (acceptedKinds.length === 0) return null;
	const kind = creativeKind(mimeType);
	if (acceptedKinds.includes(kind)) return null;
	const what =
		WORDS[kind as CreativeKind]?.one ??
		`a ${mimeType ? `${mimeType} file` : 'file of unknown type'}`;
	return `This deliverable takes ${kindsInWords(acceptedKinds)}; “${fileName}” is ${what}.`;
}

/** The kinds the Files picker can filter by (it has no audio filter: then it shows everything). */
export function pickerKinds(
	acceptedKinds: readonly string[]
): ('image' | 'video' | 'pdf')[] | undefined {
	if (acceptedKinds.length === 0 || acceptedKinds.includes('audio')) return undefined;
	return acceptedKinds as ('image' | 'video' | 'pdf')[];
}
