// Open and click tracking of message campaigns. The send worker renders each
// message through `trackMessage` (or `trackLinks` + `openPixel`); the public
// routes under /t/ verify the token and record `message.opened` /
// `message.clicked`. Use as `import * as tracking from '$lib/server/tracking'`
// in the app; the worker imports the plain modules by path.
export { sign, verify, MAX_LINKS, type TrackingClaims } from './token.ts';
export {
	configFromEnv,
	clickUrl,
	pixelUrl,
	trackLinks,
	openPixel,
	trackMessage,
	linksIn,
	type TrackingConfig
} from './links.ts';
export {
	open,
	click,
	providerReport,
	registerLinks,
	type ProviderReportKind,
	type ProviderReportOutcome
} from './record.ts';
export {
	SIGNATURE_HEADER,
	MAX_BODY_BYTES,
	signBody,
	signatureProblem,
	type SignatureProblem,
	parseReports,
	type ProviderReport
} from './webhook.ts';
export {
	report,
	type MessageReport,
	type ReportCounts,
	type ReportDay,
	type ReportLink
} from './report.ts';
