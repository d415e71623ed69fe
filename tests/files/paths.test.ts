// Names, folders and sizes as the asset manager checks and shows them.
import { describe, expect, it } from 'vitest';
import {
	breadcrumbs,
	folderMarker,
	formatBytes,
	freeName,
	kindOf,
	nameProblem,
	normalizeFolder,
	objectName
} from '../../src/lib/files/paths.ts';
import { refusal } from '../../src/lib/files/uploads.svelte.ts';

describe('names and folders', () => {
	it('refuses names Storage or the folder tree would misread', () => {
		expect(nameProblem('Spring launch')).toBeNull();
		for (const bad of ['', '  ', 'a/b', 'a\\b', '.', '..', 'x\u0000y', '.emptyFolderPlaceholder'])
			expect(nameProblem(bad), JSON.stringify(bad)).not.toBeNull();
		expect(nameProblem('x'.repeat(201))).toMatch(/200/);
	});

	it('reads a folder from the URL, or refuses it', () => {
		expect(normalizeFolder('Brand//Logos/')).toBe('Brand/Logos');
		expect(normalizeFolder('')).toBe('');
		expect(normalizeFolder('Brand/../x')).toBeNull();
		expect(normalizeFolder(Array.from({ length: 11 }, () => 'a').join('/'))).toBeNull();
	});

	it("puts every object under the organization's id", () => {
		expect(objectName('org', 'Brand/Logos', 'a.png')).toBe('org/Brand/Logos/a.png');
		expect(objectName('org', '', 'a.png')).toBe('org/a.png');
		expect(folderMarker('org', 'New')).toBe('org/New/.emptyFolderPlaceholder');
		expect(breadcrumbs('a/b')).toEqual([
			{ name: 'a', path: 'a' },
			{ name: 'b', path: 'a/b' }
		]);
	});

	it('suggests a free name like a file manager', () => {
		expect(freeName('logo.png', new Set(['logo.png', 'logo (2).png']))).toBe('logo (3).png');
		expect(freeName('README', new Set(['README']))).toBe('README (2)');
	});

	it('tells kinds and sizes in plain words', () => {
		expect(kindOf('image/png')).toBe('image');
		expect(kindOf('application/pdf')).toBe('pdf');
		expect(kindOf('text/csv')).toBe('document');
		expect(kindOf(null)).toBe('other');
		expect(formatBytes(1)).toBe('1 byte');
		expect(formatBytes(1536)).toBe('1.5 KB');
		expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
	});
});

describe("Storage's refusals, in words", () => {
	it('names the reason', () => {
		const body = (statusCode: string, error: string, message: string) =>
			JSON.stringify({ statusCode, error, message });
		expect(
			refusal(413, body('413', 'Payload too large', 'The object exceeded the maximum allowed size'))
		).toMatch(/larger/);
		expect(
			refusal(400, body('415', 'invalid_mime_type', 'mime type image/x is not supported'))
		).toMatch(/type of file/);
		expect(refusal(400, body('409', 'Duplicate', 'The resource already exists'))).toMatch(
			/already here/
		);
		expect(
			refusal(400, body('403', 'Unauthorized', 'new row violates row-level security policy'))
		).toMatch(/permission/);
		expect(refusal(502, 'bad gateway')).toMatch(/502/);
	});
});
