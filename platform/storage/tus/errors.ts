// A refusal of the resumable endpoint. Storage's TUS server answers errors as @tus/server
// does: the status, and the message as a plain-text body (tus-js-client shows it as
// "response text"), not Storage's JSON error body.
export class TusError extends Error {
	readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 412 | 413 | 415 | 423 | 500;
	constructor(status: TusError['status'], message: string) {
		super(message);
		this.name = 'TusError';
		this.status = status;
	}
}
