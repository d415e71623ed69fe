// A refusal of the resumable endpoint. Storage's TUS server answers errors as @tus/server
// does: the status, and the message as a plain-text body (tus-js-client shows it as
// "response text"), not Storage's JSON error body.
export class TusError extends Error {
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.name = 'TusError';
		this.status = status;
	}
}
