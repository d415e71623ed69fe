// Sign-in destinations that look like a path on this site but lead elsewhere once a
// URL parser (or a browser, proxy or framework) normalizes or decodes them. Shared by
// the unit test of safeRedirectPath and the tests of the routes that redirect.
const HOST = 'evil.example';

export const OFF_SITE_AFTER_NORMALIZING: string[] = [
	// dot segments, which the URL parser removes: "/.//x" is "//x"
	`/.//${HOST}`,
	`/..//${HOST}`,
	`/./..//${HOST}`,
	`/a/..//${HOST}`,
	`/a/../../..//${HOST}`,
	`/././/${HOST}`,
	// percent-encoded dots, any case
	`/%2e//${HOST}`,
	`/%2E//${HOST}`,
	`/%2e%2e//${HOST}`,
	`/%2E%2e//${HOST}`,
	`/.%2e//${HOST}`,
	// percent-encoded slashes and backslashes, any case
	`/%2f/${HOST}`,
	`/%2F%2F${HOST}`,
	`/.%2f/${HOST}`,
	`/%2e%2f/${HOST}`,
	`/%5c/${HOST}`,
	`/%5C%5C${HOST}`,
	`/%2e%5c/${HOST}`,
	// backslashes, which browsers read as slashes
	`/\\${HOST}`,
	`/\\\\${HOST}`,
	`/.\\/${HOST}`,
	`/..\\\\${HOST}`,
	// tabs and newlines, which the URL parser drops
	`/\t/${HOST}`,
	`/.\n//${HOST}`,
	`/\r\n/${HOST}`,
	`/%09/${HOST}`,
	`/%0a/${HOST}`,
	`/%0D%0A/${HOST}`,
	// encoded more than once
	`/%252e//${HOST}`,
	`/%252E%252E//${HOST}`,
	`/%252f%252f${HOST}`,
	`/%255c${HOST}`,
	`/%25252e//${HOST}`,
	`/%2525252f%2525252f${HOST}`,
	// and plain ones, for good measure
	`//${HOST}`,
	`https://${HOST}/`,
	`HTTPS:${HOST}`
];
