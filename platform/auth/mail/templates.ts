// The Auth emails. Defaults are Supabase Auth's default templates (subject and body), plus
// the one-time code, which Supabase's templates can show with {{ .Token }}. A project
// customises them in config.toml exactly as for the Supabase CLI:
//
//   [auth.email.template.confirmation]
//   subject = "Confirm your Growthdesk account"
//   content_path = "./supabase/templates/confirmation.html"
//
// and the same file then drives the emails of the hosted project. Templates may use Go
// template fields: {{ .ConfirmationURL }}, {{ .Token }}, {{ .TokenHash }}, {{ .SiteURL }},
// {{ .RedirectTo }}, {{ .Email }}, {{ .NewEmail }}, {{ .Data.<key> }}. A server-side
// confirm route (`/auth/confirm?token_hash=…&type=…` calling verifyOtp) is wired by writing
// `{{ .SiteURL }}/auth/confirm?token_hash={{ .TokenHash }}&type=email` into the template,
// as Supabase's SSR guide does; the default link goes through {{ .ConfirmationURL }}
// (GET /auth/v1/verify), which works for both implicit and PKCE clients.
import type { EmailTemplate, EmailTemplateName } from '../settings.ts';

export type TemplateData = {
	ConfirmationURL?: string;
	Token?: string;
	TokenHash?: string;
	SiteURL: string;
	RedirectTo?: string;
	Email: string;
	NewEmail?: string;
	Data: Record<string, unknown>;
};

const defaults: Record<EmailTemplateName, Required<EmailTemplate>> = {
	invite: {
		subject: "You've been invited",
		content: `<h2>You've been invited</h2>

<p>You've been invited to create an account. Follow the link below to accept.</p>
<p><a href="{{ .ConfirmationURL }}">Accept invitation</a></p>`
	},
	confirmation: {
		subject: 'Confirm your email address',
		content: `<h2>Confirm your email address</h2>

<p>Follow the link below to confirm this email address and finish signing up.</p>
<p><a href="{{ .ConfirmationURL }}">Confirm email address</a></p>
<p>Or enter this code: {{ .Token }}</p>`
	},
	recovery: {
		subject: 'Reset your password',
		content: `<h2>Reset your password</h2>

<p>We received a request to reset your password. Follow the link below to choose a new one.</p>
<p><a href="{{ .ConfirmationURL }}">Reset password</a></p>
<p>Or enter this code: {{ .Token }}</p>
<p>If you didn't request this, you can safely ignore this email.</p>`
	},
	magic_link: {
		subject: 'Your sign-in link',
		content: `<h2>Your sign-in link</h2>

<p>Follow the link below to sign in. This link expires shortly and can only be used once.</p>
<p><a href="{{ .ConfirmationURL }}">Sign in</a></p>
<p>Or enter this code: {{ .Token }}</p>`
	},
	email_change: {
		subject: 'Confirm your new email address',
		content: `<h2>Confirm your new email address</h2>

<p>Follow the link below to confirm {{ .NewEmail }} as your new email address.</p>
<p><a href="{{ .ConfirmationURL }}">Confirm new email address</a></p>
<p>Or enter this code: {{ .Token }}</p>
<p>If you didn't request this change, you can safely ignore this email.</p>`
	},
	reauthentication: {
		subject: '{{ .Token }} is your verification code',
		content: `<h2>Your verification code</h2>

<p>Use the code below to verify your identity. It expires shortly.</p>
<p>Enter this code: {{ .Token }}</p>`
	}
};

export type RenderedMail = { subject: string; html: string };

export function renderMail(
	name: EmailTemplateName,
	custom: EmailTemplate | undefined,
	data: TemplateData
): RenderedMail {
	const subject = custom?.subject ?? defaults[name].subject;
	const content = custom?.content ?? defaults[name].content;
	return { subject: fill(subject, data, false), html: fill(content, data, true) };
}

/** The `{{ .Field }}` subset of Go templates; values are HTML-escaped in bodies. */
function fill(template: string, data: TemplateData, html: boolean): string {
	return template.replace(
		/\{\{\s*\.([A-Za-z]+)(?:\.([A-Za-z0-9_]+))?\s*\}\}/g,
		(whole, field: string, key?: string) => {
			let value: unknown;
			if (field === 'Data' && key !== undefined) value = data.Data[key];
			else if (key === undefined && field in data) value = data[field as keyof TemplateData];
			else return whole;
			const text = value === undefined || value === null ? '' : stringify(value);
			return html ? escapeHtml(text) : text;
		}
	);
}

function stringify(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&#34;')
		.replace(/'/g, '&#39;');
}
