/** No profile the caller may see or change has this id. */
export class ProfileNotFoundError extends Error {
	override readonly name = 'ProfileNotFoundError';
	constructor(readonly userId: string) {
		super('Your profile could not be found.');
	}
}
