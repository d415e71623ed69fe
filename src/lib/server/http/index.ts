// The request's edge: input refused before any route sees it. Use as
// `import * as http from '$lib/server/http'`.
export { decodedHeader, formProblem, parseQuery, refuse, urlProblem } from './input';
