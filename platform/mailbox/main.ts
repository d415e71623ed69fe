// Runs the dev mailbox on its own: `node platform/mailbox/main.ts`. The platform's dev
// runner starts it in-process instead; this is for poking at it alone.
import { DEFAULT_MAILBOX_PORT, DEFAULT_SMTP_PORT, startMailbox } from './index.ts';

function portFromEnv(name: string, fallback: number): number {
	const value = process.env[name];
	if (value === undefined || value === '') return fallback;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new Error(`${name} must be a port number (0-65535), got "${value}"`);
	}
	return port;
}

const mailbox = await startMailbox({
	smtpPort: portFromEnv('GD_SMTP_PORT', DEFAULT_SMTP_PORT),
	httpPort: portFromEnv('GD_MAILBOX_PORT', DEFAULT_MAILBOX_PORT),
	storeFile: process.env.GD_MAILBOX_FILE ?? '.data/mailbox.jsonl',
	onLog: (line) => console.log(`[mail] ${line}`)
}).catch((error: unknown) => {
	// A taken port is an everyday event: print the message, not a stack trace.
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => void mailbox.stop().then(() => process.exit(0)));
}
