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
	type TrackingConfig
} from './links.ts';
