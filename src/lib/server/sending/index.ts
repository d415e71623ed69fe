// The sending module: an email campaign's message and its sending (the send
// engine itself runs in the worker, src/worker/sending).
export * from './sends.ts';
export * from './schema.ts';
export * from './message.ts';
export * as subjectTest from './subject-test.ts';
export * as text from './text.ts';
