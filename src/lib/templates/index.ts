// Message templates, for the app server and the sending worker: the block
// document, rendering (MJML, Node only), merge tags and SMS counting. The
// editor in the browser imports schema.ts, merge-tags.ts, validate.ts and
// sms.ts directly (render.ts pulls in MJML, which stays on the server).
export * from './schema.ts';
export * from './merge-tags.ts';
export * from './links.ts';
export * from './render.ts';
export * from './validate.ts';
export * from './sms.ts';
