// Matchers for the Postgres errors tenancy rules raise: the SQLSTATE and the
// machine-readable hint the app maps to a message.
export function pgError(code: string, hint?: string) {
	return hint ? { code, hint } : { code };
}
