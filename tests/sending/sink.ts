// A real SMTP server for sending tests and the benchmark (smtp-server, what
// the platform mailbox uses), that only counts: who got which Message-ID, and
// when. It can refuse with a temporary error (421/450) on demand, refuse an
// address for good (550 at RCPT, as a receiving server does for a mailbox
// that does not exist), and can discard without reading headers (the benchmark).
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export type Delivery = { to: string; messageId: string; subject: string; at: number; head: string };

export type Sink = {
	port: number;
	url: string;
	deliveries: Delivery[];
	/** Answer the next n messages with this temporary refusal. */
	refuseNext(n: number, code?: 421 | 450): void;
	/** Refuse every message to this address at RCPT TO with a permanent error. */
	refuseAddress(address: string, reply?: string): void;
	/** Permanent refusals answered, by address. */
	refusedFor: Map<string, number>;
	refused: number;
	stop(): Promise<void>;
};

export async function startSink(opts: { discard?: boolean } = {}): Promise<Sink> {
	let refuse = 0;
	let refuseCode = 450;
	const permanent = new Map<string, string>();
	const sink: Sink = {
		port: 0,
		url: '',
		deliveries: [],
		refused: 0,
		refusedFor: new Map(),
		refuseAddress(address, reply = '5.1.1 Mailbox unavailable') {
			permanent.set(address.toLowerCase(), reply);
		},
		refuseNext(n, code = 450) {
			refuse = n;
			refuseCode = code;
		},
		stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		disableReverseLookup: true,
		closeTimeout: 200,
		onRcptTo(address, _session, callback) {
			const to = address.address.toLowerCase();
			const reply = permanent.get(to);
			if (reply === undefined) return callback();
			sink.refusedFor.set(to, (sink.refusedFor.get(to) ?? 0) + 1);
			callback(Object.assign(new Error(reply), { responseCode: 550 }));
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			let head = 0;
			stream.on('data', (chunk: Buffer) => {
				// Headers and the start of the body are kept; the rest is read and dropped.
				if (!opts.discard && head < 65536) {
					chunks.push(chunk);
					head += chunk.length;
				}
			});
			stream.on('end', () => {
				if (refuse > 0) {
					refuse--;
					sink.refused++;
					const error = Object.assign(new Error('Try again later'), { responseCode: refuseCode });
					callback(error);
					return;
				}
				const text = Buffer.concat(chunks).toString('utf8');
				const headers = text.split(/\r?\n\r?\n/)[0] ?? '';
				for (const rcpt of session.envelope.rcptTo) {
					sink.deliveries.push({
						to: rcpt.address.toLowerCase(),
						messageId: /^Message-ID:\s*(\S+)/im.exec(headers)?.[1] ?? '',
						subject: /^Subject:\s*(.*)$/im.exec(headers)?.[1] ?? '',
						at: Date.now(),
						head: text
					});
				}
				callback();
			});
		}
	});
	server.on('error', () => {});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	sink.port = (server.server.address() as AddressInfo).port;
	sink.url = `smtp://127.0.0.1:${sink.port}`;
	return sink;
}
