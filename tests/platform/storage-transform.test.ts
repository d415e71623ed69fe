// Image transformations as Storage clamps and imgproxy renders them, on real images made with
// sharp: sizes per resize mode, no enlargement, EXIF orientation, format negotiation, quality,
// and the 400s for bad options and for sources that are not images or are too large.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
	describeTransformations,
	formatSignedTransformations,
	parseSignedTransformations,
	readTransformQuery,
	transformImage,
	TransformError,
	type TransformOptions
} from '../../platform/storage/transform.ts';

/** A 400×200 PNG: red left half, blue right half (so a centred crop is visible). */
async function halvesPng(width = 400, height = 200): Promise<Buffer> {
	const half = await sharp({
		create: { width: width / 2, height, channels: 3, background: '#0000ff' }
	})
		.png()
		.toBuffer();
	return sharp({ create: { width, height, channels: 3, background: '#ff0000' } })
		.composite([{ input: half, left: width / 2, top: 0 }])
		.png()
		.toBuffer();
}

async function run(input: Buffer, options: TransformOptions, accept?: string) {
	const result = await transformImage(Readable.from([input]), options, { accept });
	const bytes = await buffer(result.body);
	const meta = await sharp(bytes).metadata();
	return { result, bytes, meta };
}

describe('reading the query as Storage validates it', () => {
	it('takes whole numbers and the allowed words', () => {
		expect(
			readTransformQuery(
				new URLSearchParams('width=100&height=50&resize=contain&format=webp&quality=70&download=')
			)
		).toEqual({ width: 100, height: 50, resize: 'contain', format: 'webp', quality: 70 });
		expect(readTransformQuery(new URLSearchParams(''))).toEqual({});
	});

	it.each([
		['width=abc', 'querystring/width must be integer'],
		['width=1.5', 'querystring/width must be integer'],
		['height=-3', 'querystring/height must be >= 0'],
		['quality=19', 'querystring/quality must be >= 20'],
		['quality=101', 'querystring/quality must be <= 100'],
		['resize=stretch', 'querystring/resize must be equal to one of the allowed values'],
		['format=png', 'querystring/format must be equal to one of the allowed values']
	])('refuses %s with a 400 that names the field', (query, message) => {
		const read = () => readTransformQuery(new URLSearchParams(query));
		expect(read).toThrow(TransformError);
		expect(read).toThrow(message);
	});

	it('clamps width and height to 1–2000 and ignores 0, as the X-Transformations header says', () => {
		expect(describeTransformations({ width: 5000, height: 0, quality: 50 })).toEqual([
			'width:2000',
			'resizing_type:fill',
			'quality:50'
		]);
		expect(describeTransformations({ height: 10, resize: 'fill', format: 'avif' })).toEqual([
			'height:10',
			'resizing_type:force',
			'format:avif'
		]);
		expect(describeTransformations({ format: 'origin' })).toEqual([]);
	});

	it('writes and reads back the transformations a signed URL carries', () => {
		const options: TransformOptions = {
			width: 120,
			height: 80,
			resize: 'contain',
			quality: 60,
			format: 'webp'
		};
		const signed = formatSignedTransformations(options);
		expect(signed).toBe('height:80,width:120,resize:contain,quality:60,format:webp');
		expect(parseSignedTransformations(signed)).toEqual(options);
		expect(parseSignedTransformations('width:,bogus:1,resize:huge')).toEqual({});
	});
});

describe('rendering real images', () => {
	it('cover (the default) fills the box and crops the overflow from the centre', async () => {
		const { meta, bytes } = await run(await halvesPng(), { width: 100, height: 100 });
		expect([meta.width, meta.height, meta.format]).toEqual([100, 100, 'png']);
		// The centre of a red|blue picture: red on the left edge, blue on the right.
		const { data } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
		const pixel = (x: number) => [...data.subarray((50 * 100 + x) * 3, (50 * 100 + x) * 3 + 3)];
		expect(pixel(2)).toEqual([255, 0, 0]);
		expect(pixel(97)).toEqual([0, 0, 255]);
	});

	it('contain fits inside the box keeping proportions; fill stretches', async () => {
		const png = await halvesPng();
		const contain = await run(png, { width: 100, height: 100, resize: 'contain' });
		expect([contain.meta.width, contain.meta.height]).toEqual([100, 50]);
		const fill = await run(png, { width: 100, height: 100, resize: 'fill' });
		expect([fill.meta.width, fill.meta.height]).toEqual([100, 100]);
	});

	it('one side given keeps proportions; nothing is enlarged', async () => {
		const png = await halvesPng();
		expect((await run(png, { width: 100 })).meta).toMatchObject({ width: 100, height: 50 });
		expect((await run(png, { height: 20 })).meta).toMatchObject({ width: 40, height: 20 });
		expect((await run(png, { width: 4000 })).meta).toMatchObject({ width: 400, height: 200 });
		// A box wider than the picture but shorter: cropped to the box's height, not scaled up.
		expect((await run(png, { width: 300, height: 300 })).meta).toMatchObject({
			width: 300,
			height: 200
		});
	});

	it('applies EXIF orientation before sizing', async () => {
		// Stored 200×100 with orientation 6 (turn 90°): it is 100×200 upright.
		const jpeg = await sharp({
			create: { width: 200, height: 100, channels: 3, background: '#888' }
		})
			.jpeg()
			.withMetadata({ orientation: 6 })
			.toBuffer();
		const { meta } = await run(jpeg, { width: 50 });
		expect([meta.width, meta.height]).toEqual([50, 100]);
	});

	it('serves WebP to clients that accept it unless origin is asked; avif and webp on request', async () => {
		const jpeg = await sharp(await halvesPng())
			.jpeg()
			.toBuffer();
		const browser = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';
		const negotiated = await run(jpeg, { width: 100 }, browser);
		expect(negotiated.result.contentType).toBe('image/webp');
		expect(negotiated.meta.format).toBe('webp');

		const origin = await run(jpeg, { width: 100, format: 'origin' }, browser);
		expect([origin.result.contentType, origin.meta.format]).toEqual(['image/jpeg', 'jpeg']);

		const plain = await run(jpeg, { width: 100 }, '*/*');
		expect(plain.result.contentType).toBe('image/jpeg');

		const avif = await run(jpeg, { width: 100, format: 'avif' });
		expect(avif.result.contentType).toBe('image/avif');
		expect(avif.meta.format).toBe('heif');
		expect(avif.result.contentLength).toBe(avif.bytes.length);
	});

	it('quality changes the bytes: 20 is smaller than 100', async () => {
		// Noise compresses badly, so quality shows in the size.
		const noise = Buffer.alloc(300 * 300 * 3);
		for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 3) * 104729) % 256;
		const jpeg = await sharp(noise, { raw: { width: 300, height: 300, channels: 3 } })
			.jpeg({ quality: 100 })
			.toBuffer();
		const low = await run(jpeg, { quality: 20, format: 'webp' });
		const high = await run(jpeg, { quality: 100, format: 'webp' });
		expect(low.bytes.length).toBeLessThan(high.bytes.length / 2);
	});

	it('refuses a source that is not an image with imgproxy’s 400', async () => {
		const text = Readable.from([Buffer.from('%PDF-1.7 not really an image')]);
		await expect(transformImage(text, { width: 10 })).rejects.toMatchObject({
			status: 400,
			message: 'The source image is invalid or unsupported for rendering'
		});
	});

	it('refuses sources over the size and resolution limits', async () => {
		const png = await halvesPng();
		const limits = { minSize: 1, maxSize: 2000, maxSourceBytes: 100, maxSourcePixels: 50_000_000 };
		await expect(
			transformImage(Readable.from([png]), { width: 10 }, {}, limits)
		).rejects.toMatchObject({
			status: 400,
			message: 'The source image file is too large to process'
		});
		await expect(
			transformImage(
				Readable.from([png]),
				{ width: 10 },
				{},
				{
					...limits,
					maxSourceBytes: 1 << 20,
					maxSourcePixels: 1000
				}
			)
		).rejects.toMatchObject({
			status: 400,
			message: 'The source image resolution is too large to process'
		});
	});
});
