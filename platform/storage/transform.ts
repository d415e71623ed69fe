// Image transformations for /storage/v1/render/image/*: what Supabase Storage asks imgproxy
// for, done in-process with sharp (libvips, the library imgproxy is built on).
//
// The options and their limits are Storage's (src/storage/renderer/image.ts and the route's
// query schema): width and height are integers ≥ 0, clamped to 1–2000 (0 means "not set");
// quality is an integer 20–100 (default 80), refused outside it, not clamped; resize is
// cover (default), contain or fill; format is origin, avif or webp, and when it is not given
// the client's Accept header picks WebP if it takes it (imgproxy's WebP detection), else the
// original format. Like imgproxy's defaults, an image is never enlarged, EXIF orientation is
// applied, and a source over 25 MB or 50 megapixels is refused with imgproxy's words.
import { Readable } from 'node:stream';
import sharp, { type Metadata, type ResizeOptions } from 'sharp';

export type ResizeMode = 'cover' | 'contain' | 'fill';
export type TransformFormat = 'origin' | 'avif' | 'webp';

export type TransformOptions = {
	width?: number;
	height?: number;
	resize?: ResizeMode;
	format?: TransformFormat;
	quality?: number;
};

export type TransformLimits = {
	/** IMAGE_TRANSFORMATION_LIMIT_MIN_SIZE / _MAX_SIZE in Storage; defaults 1 and 2000. */
	minSize: number;
	maxSize: number;
	/** imgproxy's max_src_file_size and max_src_resolution as Supabase documents them. */
	maxSourceBytes: number;
	maxSourcePixels: number;
};

export const DEFAULT_LIMITS: TransformLimits = {
	minSize: 1,
	maxSize: 2000,
	maxSourceBytes: 25 * 1024 * 1024,
	maxSourcePixels: 50_000_000
};

/** imgproxy's default quality, used when the request names none. */
export const DEFAULT_QUALITY = 80;

const RESIZE_MODES: readonly ResizeMode[] = ['cover', 'contain', 'fill'];
const FORMATS: readonly TransformFormat[] = ['origin', 'avif', 'webp'];

/**
 * A request the transformer refuses: `status` is the HTTP status Storage answers with, and
 * `message` its words (the query schema's for bad options, imgproxy's for bad images).
 */
export class TransformError extends Error {
	readonly status: 400 | 500;
	constructor(status: 400 | 500, message: string) {
		super(message);
		this.name = 'TransformError';
		this.status = status;
	}
}

function readInteger(name: string, raw: string, min: number, max?: number): number {
	// Storage's schema coerces query strings as AJV does: a whole number, nothing else.
	if (!/^[+-]?\d+$/.test(raw.trim())) {
		throw new TransformError(400, `querystring/${name} must be integer`);
	}
	const value = Number(raw);
	if (value < min) throw new TransformError(400, `querystring/${name} must be >= ${min}`);
	if (max !== undefined && value > max) {
		throw new TransformError(400, `querystring/${name} must be <= ${max}`);
	}
	return value;
}

function readEnum<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
	if (!(allowed as readonly string[]).includes(raw)) {
		throw new TransformError(400, `querystring/${name} must be equal to one of the allowed values`);
	}
	return raw as T;
}

/**
 * The transformation options of a render URL's query string (width, height, resize, format,
 * quality), validated as Storage's schema validates them. Other parameters (download, token)
 * are left to the route.
 */
export function readTransformQuery(query: URLSearchParams): TransformOptions {
	const options: TransformOptions = {};
	const width = query.get('width');
	const height = query.get('height');
	const resize = query.get('resize');
	const format = query.get('format');
	const quality = query.get('quality');
	if (width !== null && width !== '') options.width = readInteger('width', width, 0);
	if (height !== null && height !== '') options.height = readInteger('height', height, 0);
	if (resize !== null && resize !== '') options.resize = readEnum('resize', resize, RESIZE_MODES);
	if (format !== null && format !== '') options.format = readEnum('format', format, FORMATS);
	if (quality !== null && quality !== '') {
		options.quality = readInteger('quality', quality, 20, 100);
	}
	return options;
}

/**
 * The transformations a signed URL carries in its token, in Storage's words
 * (`height:100,width:200,resize:cover,quality:70,format:webp`): what createSignedUrl with a
 * `transform` option signs, and what /render/image/sign reads back.
 */
export function formatSignedTransformations(options: TransformOptions): string {
	const segments: string[] = [];
	if (options.height) segments.push(`height:${options.height}`);
	if (options.width) segments.push(`width:${options.width}`);
	if (options.width || options.height) segments.push(`resize:${options.resize ?? 'cover'}`);
	if (options.quality) segments.push(`quality:${options.quality}`);
	if (options.format && options.format !== 'origin') segments.push(`format:${options.format}`);
	return segments.join(',');
}

/** The options of a signed token's transformations string; unknown or empty parts are skipped. */
export function parseSignedTransformations(transformations: string): TransformOptions {
	const options: TransformOptions = {};
	for (const part of transformations.split(',')) {
		const [name, value] = part.split(':');
		if (value === undefined || value === '') continue;
		const number = Number.parseInt(value, 10);
		if (name === 'width' && Number.isFinite(number)) options.width = number;
		else if (name === 'height' && Number.isFinite(number)) options.height = number;
		else if (name === 'quality' && Number.isFinite(number)) options.quality = number;
		else if (name === 'resize' && (RESIZE_MODES as readonly string[]).includes(value)) {
			options.resize = value as ResizeMode;
		} else if (name === 'format' && (FORMATS as readonly string[]).includes(value)) {
			options.format = value as TransformFormat;
		}
	}
	return options;
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/** What imgproxy is asked for, as Storage's X-Transformations header lists it. */
export function describeTransformations(
	options: TransformOptions,
	limits: TransformLimits = DEFAULT_LIMITS
): string[] {
	const segments: string[] = [];
	if (options.height)
		segments.push(`height:${clamp(options.height, limits.minSize, limits.maxSize)}`);
	if (options.width) segments.push(`width:${clamp(options.width, limits.minSize, limits.maxSize)}`);
	if (options.width || options.height) {
		const type = { cover: 'fill', contain: 'fit', fill: 'force' }[options.resize ?? 'cover'];
		segments.push(`resizing_type:${type}`);
	}
	if (options.quality) segments.push(`quality:${options.quality}`);
	if (options.format && options.format !== 'origin') segments.push(`format:${options.format}`);
	return segments;
}

type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff';

const CONTENT_TYPES: Record<OutputFormat, string> = {
	jpeg: 'image/jpeg',
	png: 'image/png',
	webp: 'image/webp',
	avif: 'image/avif',
	gif: 'image/gif',
	tiff: 'image/tiff'
};

/** The format to write: asked for, else WebP when the client accepts it, else the source's. */
function outputFormat(
	asked: TransformFormat | undefined,
	accept: string | undefined,
	source: { format?: string; compression?: string }
): OutputFormat {
	if (asked === 'webp' || asked === 'avif') return asked;
	if (asked === undefined && accept && /\bimage\/webp\b/i.test(accept)) return 'webp';
	if (source.format === 'heif') return source.compression === 'av1' ? 'avif' : 'jpeg';
	if (source.format && source.format in CONTENT_TYPES) return source.format as OutputFormat;
	// SVG, BMP, ICO and other formats imgproxy reads but does not write keep their pixels as PNG.
	return 'png';
}

export type TransformResult = {
	body: Readable;
	contentType: string;
	contentLength: number;
	/** For the X-Transformations header. */
	transformations: string[];
};

async function readAll(source: Readable, maxBytes: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of source) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
		size += buffer.length;
		if (size > maxBytes) {
			source.destroy();
			throw new TransformError(400, 'The source image file is too large to process');
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks, size);
}

const UNSUPPORTED = 'The source image is invalid or unsupported for rendering';

/**
 * Transforms the image read from `source`. The whole source is read first (libvips needs it
 * to decode most formats, and imgproxy downloads it whole too), bounded by maxSourceBytes;
 * the result is encoded before anything is returned, so a broken image is a 400 and never a
 * half-sent 200.
 */
export async function transformImage(
	source: Readable,
	options: TransformOptions,
	request: { accept?: string } = {},
	limits: TransformLimits = DEFAULT_LIMITS
): Promise<TransformResult> {
	const input = await readAll(source, limits.maxSourceBytes);
	const transformations = describeTransformations(options, limits);
	let meta: Metadata;
	try {
		meta = await sharp(input, { limitInputPixels: false }).metadata();
	} catch {
		throw new TransformError(400, UNSUPPORTED);
	}
	if (!meta.width || !meta.height) throw new TransformError(400, UNSUPPORTED);
	if (meta.width * meta.height > limits.maxSourcePixels) {
		throw new TransformError(400, 'The source image resolution is too large to process');
	}

	// EXIF orientations 5–8 turn the picture a quarter: the upright size swaps width and height.
	const turned = (meta.orientation ?? 1) >= 5;
	const sourceWidth = turned ? meta.height : meta.width;
	const sourceHeight = turned ? meta.width : meta.height;

	let pipeline = sharp(input, { limitInputPixels: limits.maxSourcePixels }).rotate();
	const width = options.width ? clamp(options.width, limits.minSize, limits.maxSize) : undefined;
	const height = options.height ? clamp(options.height, limits.minSize, limits.maxSize) : undefined;
	if (width || height) {
		pipeline = pipeline.resize(
			targetSize(sourceWidth, sourceHeight, width, height, options.resize ?? 'cover')
		);
	}

	const format = outputFormat(options.format, request.accept, meta);
	const quality = options.quality ?? DEFAULT_QUALITY;
	if (format === 'jpeg') pipeline = pipeline.jpeg({ quality, mozjpeg: true });
	else if (format === 'webp') pipeline = pipeline.webp({ quality });
	else if (format === 'avif') pipeline = pipeline.avif({ quality, effort: 2 });
	else if (format === 'png') pipeline = pipeline.png();
	else if (format === 'gif') pipeline = pipeline.gif();
	else pipeline = pipeline.tiff({ quality });

	let output: Buffer;
	try {
		output = await pipeline.toBuffer();
	} catch {
		throw new TransformError(400, UNSUPPORTED);
	}
	return {
		body: Readable.from([output]),
		contentType: CONTENT_TYPES[format],
		contentLength: output.length,
		transformations
	};
}

/**
 * The resize imgproxy makes for a resizing type, without enlarging: `cover` (imgproxy's fill)
 * scales to cover the box and crops the overflow from the centre, `contain` (fit) scales to fit
 * inside it, `fill` (force) stretches each side on its own. A side that is not given follows
 * the picture's proportions.
 */
function targetSize(
	sourceWidth: number,
	sourceHeight: number,
	width: number | undefined,
	height: number | undefined,
	mode: ResizeMode
): ResizeOptions {
	const scaleX = width ? width / sourceWidth : undefined;
	const scaleY = height ? height / sourceHeight : undefined;
	const side = (size: number, scale: number) => Math.max(1, Math.round(size * Math.min(scale, 1)));

	if (scaleX === undefined || scaleY === undefined) {
		const scale = (scaleX ?? scaleY)!;
		return { width: side(sourceWidth, scale), height: side(sourceHeight, scale), fit: 'fill' };
	}
	if (mode === 'fill') {
		return { width: side(sourceWidth, scaleX), height: side(sourceHeight, scaleY), fit: 'fill' };
	}
	if (mode === 'contain') {
		const scale = Math.min(scaleX, scaleY);
		return { width: side(sourceWidth, scale), height: side(sourceHeight, scale), fit: 'fill' };
	}
	// cover: the scaled picture, cut down to the box where it overflows.
	const scale = Math.min(Math.max(scaleX, scaleY), 1);
	return {
		width: Math.min(width!, Math.max(1, Math.round(sourceWidth * scale))),
		height: Math.min(height!, Math.max(1, Math.round(sourceHeight * scale))),
		fit: 'cover',
		position: 'centre'
	};
}

/**
 * The `transform` of a createSignedUrl body as the transformations its token carries (empty
 * when none), validated as Storage's body schema validates it.
 */
export function signedTransformationsOf(transform: unknown): string | undefined {
	if (transform === undefined || transform === null) return undefined;
	if (typeof transform !== 'object' || Array.isArray(transform)) {
		throw new TransformError(400, 'body/transform must be object');
	}
	const query = new URLSearchParams();
	for (const [name, value] of Object.entries(transform)) {
		if (typeof value === 'string' || typeof value === 'number') query.set(name, String(value));
	}
	try {
		return formatSignedTransformations(readTransformQuery(query)) || undefined;
	} catch (error) {
		if (!(error instanceof TransformError)) throw error;
		throw new TransformError(400, error.message.replace('querystring/', 'body/transform/'));
	}
}
