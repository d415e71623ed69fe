// The template library's pure side: the block document's schema and bounds,
// MJML rendering with per-recipient personalization (escaped, URL-encoded,
// cheap), merge-tag listing and checks, links, and the SMS counter, including
// hostile input (script tags, javascript: links, NUL bytes, deep nesting,
// ten thousand blocks).
import { describe, expect, it } from 'vitest';
import {
	compileEmail,
	countSms,
	countWhatsApp,
	emailDocument,
	linkProblem,
	listMergeTags,
	parseDocument,
	personalize,
	renderEmail,
	renderText,
	validateEmail,
	validateText,
	type EmailDocumentInput
} from '../../src/lib/templates/index.ts';

function docWith(blocks: unknown[], extra: Partial<EmailDocumentInput> = {}): unknown {
	return {
		version: 1,
		...extra,
		sections: [{ type: 'section', id: 's1', columns: [{ id: 'c1', blocks }] }]
	};
}
const footer = { type: 'footer', id: 'f1', address: '1 Harbour Street\nPortsmouth PO1 2AB' };
const ctx = { customKeys: new Set(['shoe_size', 'loyalty_tier']), marketing: true };

describe('the block document', () => {
	it('accepts every block kind and fills defaults', () => {
		const doc = parseDocument(
			docWith([
				{ type: 'text', id: 't', text: 'Hello' },
				{ type: 'image', id: 'i', src: 'https://img.test/a.png' },
				{ type: 'button', id: 'b', label: 'Go', href: 'https://shop.test' },
				{ type: 'divider', id: 'd' },
				{ type: 'spacer', id: 'sp' },
				{ type: 'social', id: 'so', links: [{ network: 'x', href: 'https://x.com/brand' }] },
				footer
			])
		);
		expect(doc.settings.width).toBe(600);
		expect(doc.sections[0]!.columns[0]!.blocks.map((b) => b.type)).toEqual([
			'text',
			'image',
			'button',
			'divider',
			'spacer',
			'social',
			'footer'
		]);
	});

	it('refuses NUL bytes and control characters in text', () => {
		const r = emailDocument.safeParse(docWith([{ type: 'text', id: 't', text: 'a\u0000b' }]));
		expect(r.success).toBe(false);
		expect(r.error?.issues[0]?.path).toEqual(['sections', 0, 'columns', 0, 'blocks', 0, 'text']);
		expect(
			emailDocument.safeParse(docWith([{ type: 'text', id: 't', text: 'a\u001bb' }])).success
		).toBe(false);
	});

	it('refuses a document nested thousands deep before zod recurses into it', () => {
		let deep: unknown = {};
		for (let i = 0; i < 20000; i++) deep = { a: deep };
		const r = emailDocument.safeParse({ version: 1, sections: [], deep });
		expect(r.success).toBe(false);
		expect(r.error?.issues[0]?.message).toMatch(/nested too deeply/);
	});

	it('refuses ten thousand blocks, quickly', () => {
		const blocks = Array.from({ length: 10000 }, (_, i) => ({ type: 'spacer', id: `b${i}` }));
		const started = performance.now();
		const r = emailDocument.safeParse(docWith(blocks));
		expect(r.success).toBe(false);
		expect(performance.now() - started).toBeLessThan(2000);
		const spread = {
			version: 1,
			sections: Array.from({ length: 60 }, (_, s) => ({
				type: 'section',
				id: `s${s}`,
				columns: [
					{
						id: `c${s}`,
						blocks: Array.from({ length: 10 }, (_, i) => ({ type: 'spacer', id: `b${s}-${i}` }))
					}
				]
			}))
		};
		expect(emailDocument.safeParse(spread).error?.issues[0]?.message).toMatch(/at most 300 blocks/);
	});

	it('refuses unknown block kinds, two blocks with one id and bad colours', () => {
		expect(
			emailDocument.safeParse(docWith([{ type: 'html', id: 'h', html: '<script>' }])).success
		).toBe(false);
		expect(
			emailDocument.safeParse(
				docWith([
					{ type: 'spacer', id: 'x' },
					{ type: 'divider', id: 'x' }
				])
			).success
		).toBe(false);
		expect(
			emailDocument.safeParse(
				docWith([{ type: 'divider', id: 'd', color: 'red;background:url(x)' }])
			).success
		).toBe(false);
	});
});

describe('rendering', () => {
	const doc = parseDocument(
		docWith([
			{
				type: 'text',
				id: 't1',
				text: 'Hi **{{contact.first_name | there}}**, _see_ [the shop](https://shop.test/?e={{contact.email}})\n\nSize {{custom.shoe_size | unknown}}'
			},
			{
				type: 'image',
				id: 'i1',
				src: 'https://img.test/a.png',
				alt: 'A "shoe"',
				href: 'https://shop.test/shoe'
			},
			{ type: 'button', id: 'b1', label: 'Buy <now>', href: 'https://shop.test/buy' },
			{
				type: 'social',
				id: 'so',
				links: [{ network: 'instagram', href: 'https://instagram.com/brand' }]
			},
			footer
		])
	);
	const vars = {
		contact: { first_name: '<script>alert(1)</script>', email: 'ann+shoes@example.com' },
		custom: { shoe_size: 38 },
		unsubscribe_url: 'https://app.test/u/token?x=1&y=2'
	};

	it('produces email HTML (tables, inline styles) and a plain-text part', async () => {
		const r = await renderEmail(doc, vars, {
			subject: 'For {{contact.first_name|you}}',
			preheader: 'New shoes'
		});
		expect(r.html).toMatch(/^<!doctype html>/i);
		expect(r.html).toContain('<table');
		expect(r.html).toContain('New shoes');
		expect(r.html).toContain('<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>');
		expect(r.html).not.toContain('<script>');
		expect(r.html).toContain('href="https://shop.test/?e=ann%2Bshoes%40example.com"');
		expect(r.html).toContain('href="https://app.test/u/token?x=1&amp;y=2"');
		expect(r.html).toContain('Buy &lt;now&gt;');
		expect(r.html).toContain('1 Harbour Street<br>Portsmouth');
		expect(r.html).not.toContain('{{');
		expect(r.html).not.toContain(String.fromCharCode(1));
		expect(r.text).toContain(
			'Hi <script>alert(1)</script>, see the shop (https://shop.test/?e=ann%2Bshoes%40example.com)'
		);
		expect(r.text).toContain('Size 38');
		expect(r.text).toContain('Unsubscribe: https://app.test/u/token?x=1&y=2');
		expect(r.subject).toBe('For <script>alert(1)</script>');
	});

	it('uses fallbacks for missing values, and never puts a line break in the subject', async () => {
		const r = await renderEmail(
			doc,
			{ contact: { first_name: 'Ann\r\nBcc: x@evil.test' } },
			{ subject: 'Hey {{contact.first_name | you}}' }
		);
		expect(r.subject).toBe('Hey Ann Bcc: x@evil.test');
		const blank = await renderEmail(doc, {}, { subject: 'Hey {{contact.first_name | you}}' });
		expect(blank.subject).toBe('Hey you');
		expect(blank.text).toContain('Hi there,');
		expect(blank.text).toContain('Size unknown');
		// No unsubscribe link known (a preview): the link goes nowhere rather than somewhere wrong.
		expect(blank.html).toContain('href="#"');
	});

	it('never renders javascript: links, even from an unchecked document or a tag value', async () => {
		const bad = parseDocument(
			docWith([
				{ type: 'text', id: 't', text: '[click](javascript:alert%281%29) [x](JaVaScRiPt:void0)' },
				{ type: 'button', id: 'b', label: 'Go', href: 'javascript:alert(1)' },
				{ type: 'button', id: 'b2', label: 'Site', href: '{{custom.website}}' },
				{ type: 'image', id: 'i', src: 'javascript:alert(1)' },
				{ type: 'text', id: 't2', text: '<img src=x onerror=alert(1)> <style>body{}</style>' }
			])
		);
		const r = await renderEmail(bad, { custom: { website: 'javascript:alert(2)' } });
		expect(r.html.toLowerCase()).not.toContain('javascript:');
		expect(r.html).not.toMatch(/<img src=x|<style>body/);
		expect(r.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(r.text).toContain('click');
	});

	it('renders once per document and personalizes thousands of messages a second', async () => {
		const compiled = await compileEmail(doc, { subject: 'Hi {{contact.first_name|there}}' });
		expect(compiled.tags).toEqual(
			expect.arrayContaining([
				'contact.first_name',
				'contact.email',
				'custom.shoe_size',
				'unsubscribe_url'
			])
		);
		const started = performance.now();
		for (let i = 0; i < 2000; i++)
			personalize(compiled, {
				contact: { first_name: `Ann ${i}`, email: `a${i}@x.test` },
				unsubscribe_url: `https://app.test/u/${i}`
			});
		const perSecond = 2000 / ((performance.now() - started) / 1000);
		// ≥ 500 messages/s per worker is the sending goal: personalizing alone must
		// clear it even on a loaded machine (a quiet one does several thousand).
		expect(perSecond).toBeGreaterThan(500);
		const a = await renderEmail(doc, vars);
		const b = await renderEmail(doc, { ...vars, contact: { first_name: 'Bo' } });
		expect(a.html).not.toBe(b.html);
	});

	it('fills SMS text with values as typed (it is not HTML)', () => {
		expect(
			renderText('Hi {{contact.first_name | there}} & co', { contact: { first_name: 'A<b>' } })
		).toBe('Hi A<b> & co');
		expect(renderText('Hi {{contact.first_name | there}}', {})).toBe('Hi there');
	});
});

describe('checks on save', () => {
	it('lists the merge tags a document uses, with their blocks', () => {
		const doc = parseDocument(
			docWith([
				{ type: 'text', id: 't1', text: '{{contact.first_name|x}} {{custom.shoe_size}}' },
				footer
			])
		);
		expect(listMergeTags(doc, { subject: '{{org.name}}' })).toEqual([
			{ tag: 'org.name', fallback: '', blockId: null },
			{ tag: 'contact.first_name', fallback: 'x', blockId: 't1' },
			{ tag: 'custom.shoe_size', fallback: '', blockId: 't1' },
			{ tag: 'unsubscribe_url', fallback: '', blockId: 'f1' }
		]);
	});

	it('reports an unknown field at its block (an error, not a blank)', () => {
		const doc = parseDocument(
			docWith([
				{ type: 'text', id: 't1', text: 'Hi {{custom.favourite_colour | there}}' },
				{ type: 'button', id: 'b1', label: '{{contact.nickname}}', href: 'https://x.test' },
				{ type: 'text', id: 't2', text: 'Broken {{contact.first_name' },
				{ type: 'text', id: 't3', text: '{{ <script> }}' },
				footer
			])
		);
		const issues = validateEmail(doc, { subject: 'Hi {{shoe}}' }, ctx);
		const has = (blockId: string | null, field: string, re: RegExp) =>
			issues.some((i) => i.blockId === blockId && i.field === field && re.test(i.message));
		expect(has('t1', 'text', /no custom field "favourite_colour"/)).toBe(true);
		expect(has('b1', 'label', /Contacts have no "nickname"/)).toBe(true);
		expect(has('t2', 'text', /not closed/)).toBe(true);
		expect(has('t3', 'text', /is not a merge tag/)).toBe(true);
		expect(has(null, 'subject', /not a merge tag this organization has/)).toBe(true);
		expect(
			validateEmail(
				parseDocument(docWith([{ type: 'text', id: 't', text: '{{custom.shoe_size}}' }, footer])),
				{ subject: 'x' },
				ctx
			)
		).toEqual([]);
	});

	it('refuses marketing email without an unsubscribe link, accepts it for transactional', () => {
		const doc = parseDocument(docWith([{ type: 'text', id: 't', text: 'Hi' }]));
		const issues = validateEmail(doc, { subject: 'x' }, ctx);
		expect(issues.map((i) => i.field)).toEqual(['document']);
		expect(issues[0]!.message).toMatch(/unsubscribe link/);
		expect(validateEmail(doc, { subject: 'x' }, { ...ctx, marketing: false })).toEqual([]);
		const linked = parseDocument(
			docWith([{ type: 'text', id: 't', text: '[Unsubscribe]({{unsubscribe_url}})' }])
		);
		expect(validateEmail(linked, { subject: 'x' }, ctx)).toEqual([]);
	});

	it('reports broken and unsafe links at their block', () => {
		const doc = parseDocument(
			docWith([
				{ type: 'button', id: 'b1', label: 'Go', href: 'htp//shop' },
				{ type: 'button', id: 'b2', label: 'Go', href: 'javascript:alert(1)' },
				{ type: 'text', id: 't1', text: '[a](https://) [b](www.shop.test)' },
				{ type: 'image', id: 'i1', src: '/relative.png' },
				{
					type: 'social',
					id: 's1',
					links: [{ network: 'facebook', href: 'https://exa mple.com' }]
				},
				footer
			])
		);
		const byBlock = validateEmail(doc, { subject: 'x' }, ctx).map((i) => i.blockId);
		expect(byBlock).toEqual(expect.arrayContaining(['b1', 'b2', 't1', 'i1', 's1']));
		expect(byBlock.filter((b) => b === 't1')).toHaveLength(2);
	});

	it('knows which links email may carry', () => {
		expect(linkProblem('https://shop.test/a?b=1')).toBeNull();
		expect(linkProblem('https://shop.test/?ref={{contact.email}}')).toBeNull();
		expect(linkProblem('{{unsubscribe_url}}')).toBeNull();
		expect(linkProblem('mailto:hello@shop.test')).toBeNull();
		expect(linkProblem('tel:+44 20 7946 0000')).toBeNull();
		expect(linkProblem('data:text/html,<script>')).toMatch(/cannot be used/);
		expect(linkProblem('vbscript:x')).toMatch(/cannot be used/);
		expect(linkProblem('https://localhost:3000/x')).toBeNull();
		expect(linkProblem('https://nodot/x')).toMatch(/domain/);
	});

	it('checks SMS text', () => {
		const issues = validateText('Hi {{custom.nope}}', ctx);
		expect(issues.map((i) => i.field)).toEqual(['body']);
		expect(issues[0]!.message).toMatch(/no custom field "nope"/);
		expect(validateText('  ', ctx)[0]?.message).toMatch(/Write the message/);
		expect(validateText('Hi {{contact.first_name | there}}', ctx)).toEqual([]);
	});
});

describe('SMS length and segments', () => {
	it('counts GSM-7: 160 in one part, 153 per part beyond', () => {
		expect(countSms('a'.repeat(160))).toMatchObject({
			encoding: 'GSM-7',
			length: 160,
			segments: 1,
			remaining: 0
		});
		expect(countSms('a'.repeat(161))).toMatchObject({
			segments: 2,
			perSegment: 153,
			remaining: 145
		});
		expect(countSms('')).toMatchObject({ segments: 0 });
	});

	it('counts the extension characters twice', () => {
		expect(countSms('€[]')).toMatchObject({ encoding: 'GSM-7', length: 6 });
	});

	it('switches to UCS-2 for other characters: 70, then 67 per part, emoji as two', () => {
		expect(countSms('Cześć')).toMatchObject({
			encoding: 'UCS-2',
			length: 5,
			segments: 1,
			unicodeChars: ['ś', 'ć']
		});
		expect(countSms('a'.repeat(70))).toMatchObject({ encoding: 'GSM-7' });
		expect(countSms('👋' + 'a'.repeat(68))).toMatchObject({
			encoding: 'UCS-2',
			length: 70,
			segments: 1
		});
		expect(countSms('👋' + 'a'.repeat(69))).toMatchObject({
			length: 71,
			segments: 2,
			perSegment: 67
		});
	});

	it('counts WhatsApp characters against 4,096', () => {
		expect(countWhatsApp('👋 hi')).toEqual({ length: 4, remaining: 4092 });
	});
});
