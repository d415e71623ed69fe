// Escape-by-default HTML templating for the viewer. Every interpolated value is escaped unless
// it is itself the output of `html`, so a subject like `<script>` can only ever show as text.
// (No JSX/Svelte here: the mailbox is plain Node with no build step.)

export type Html = { readonly __html: string };

export type Renderable = Html | string | number | null | undefined | false | readonly Renderable[];

const ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;'
};

export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Markup we wrote ourselves (the stylesheet); never pass it anything from a message. */
export function trusted(markup: string): Html {
	return { __html: markup };
}

export function html(strings: TemplateStringsArray, ...values: Renderable[]): Html {
	let out = strings[0] ?? '';
	values.forEach((value, i) => {
		out += render(value) + (strings[i + 1] ?? '');
	});
	return { __html: out };
}

function render(value: Renderable): string {
	if (value === null || value === undefined || value === false) return '';
	if (typeof value === 'string') return escapeHtml(value);
	if (typeof value === 'number') return String(value);
	if (Array.isArray(value)) return value.map(render).join('');
	return (value as Html).__html;
}
