// Editing the block document in the browser: new blocks with defaults, moving
// blocks within and across columns, labels in a marketer's words. Plain
// functions over the document (the editor keeps it in $state).
import type { Block, BlockType, EmailDocument, Section } from '$lib/templates/schema';

export const BLOCK_LABELS: Record<BlockType, string> = {
	text: 'Text',
	image: 'Image',
	button: 'Button',
	divider: 'Divider line',
	spacer: 'Empty space',
	social: 'Social links',
	footer: 'Footer (address and unsubscribe)'
};

let counter = 0;
export function newId(prefix = 'b'): string {
	counter += 1;
	return `${prefix}${Date.now().toString(36)}${counter.toString(36)}`.slice(0, 40);
}

export function newBlock(type: BlockType): Block {
	const id = newId();
	switch (type) {
		case 'text':
			return { type, id, text: 'Write something here.', style: 'body', align: 'left' };
		case 'image':
			return { type, id, src: '', alt: '', align: 'center' };
		case 'button':
			return {
				type,
				id,
				label: 'Find out more',
				href: 'https://',
				align: 'center',
				color: '#2563eb',
				textColor: '#ffffff'
			};
		case 'divider':
			return { type, id, color: '#e5e7eb', thickness: 1 };
		case 'spacer':
			return { type, id, height: 24 };
		case 'social':
			return { type, id, align: 'center', links: [] };
		case 'footer':
			return {
				type,
				id,
				text: 'You are receiving this email because you subscribed.',
				address: '',
				unsubscribeLabel: 'Unsubscribe'
			};
	}
}

export function newSection(columns: number): Section {
	return {
		type: 'section',
		id: newId('s'),
		columns: Array.from({ length: columns }, () => ({ id: newId('c'), blocks: [] }))
	};
}

export type Place = { section: number; column: number; index: number };

/** Where a block is, by id. */
export function find(doc: EmailDocument, id: string): Place | null {
	for (const [si, s] of doc.sections.entries())
		for (const [ci, c] of s.columns.entries()) {
			const index = c.blocks.findIndex((b) => b.id === id);
			if (index >= 0) return { section: si, column: ci, index };
		}
	return null;
}

/** The column positions in reading order (for moving a block past the end of its column). */
function columnsInOrder(doc: EmailDocument): { section: number; column: number }[] {
	return doc.sections.flatMap((s, si) => s.columns.map((_, ci) => ({ section: si, column: ci })));
}

/** Moves a block one step up or down; at the edge of its column it moves into the next one. */
export function step(doc: EmailDocument, id: string, by: -1 | 1): void {
	const at = find(doc, id);
	if (!at) return;
	const blocks = doc.sections[at.section]!.columns[at.column]!.blocks;
	const to = at.index + by;
	if (to >= 0 && to < blocks.length) {
		const [b] = blocks.splice(at.index, 1);
		blocks.splice(to, 0, b!);
		return;
	}
	const order = columnsInOrder(doc);
	const here = order.findIndex((p) => p.section === at.section && p.column === at.column);
	const next = order[here + by];
	if (!next) return;
	const [b] = blocks.splice(at.index, 1);
	const target = doc.sections[next.section]!.columns[next.column]!.blocks;
	if (by === 1) target.unshift(b!);
	else target.push(b!);
}

/** Moves a block to a place (drag and drop). */
export function moveTo(
	doc: EmailDocument,
	id: string,
	section: number,
	column: number,
	index: number
): void {
	const at = find(doc, id);
	if (!at) return;
	const [b] = doc.sections[at.section]!.columns[at.column]!.blocks.splice(at.index, 1);
	const target = doc.sections[section]!.columns[column]!.blocks;
	const adjusted =
		at.section === section && at.column === column && at.index < index ? index - 1 : index;
	target.splice(Math.min(adjusted, target.length), 0, b!);
}

export function removeBlock(doc: EmailDocument, id: string): void {
	const at = find(doc, id);
	if (at) doc.sections[at.section]!.columns[at.column]!.blocks.splice(at.index, 1);
}

/** A line describing a block in the outline. */
export function summary(b: Block): string {
	switch (b.type) {
		case 'text':
			return b.text.replace(/\s+/g, ' ').slice(0, 60) || 'Empty text';
		case 'image':
			return b.alt || (b.src ? b.src.split('/').pop()!.slice(0, 60) : 'No image chosen');
		case 'button':
			return b.label;
		case 'social':
			return b.links.length ? b.links.map((l) => l.network).join(', ') : 'No links yet';
		case 'footer':
			return b.address.split('\n')[0] || 'Add the postal address';
		case 'spacer':
			return `${b.height} px`;
		case 'divider':
			return '';
	}
}
