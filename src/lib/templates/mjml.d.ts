// mjml ships no types; this declares the part of its API the renderer calls
// (mjml 5: mjml2html returns a promise).
declare module 'mjml' {
	type MjmlError = { line: number; message: string; tagName: string; formattedMessage: string };
	type MjmlOptions = {
		validationLevel?: 'strict' | 'soft' | 'skip';
		fonts?: Record<string, string>;
		keepComments?: boolean;
		minify?: boolean;
	};
	export default function mjml2html(
		mjml: string,
		options?: MjmlOptions
	): Promise<{ html: string; errors: MjmlError[] }>;
}
