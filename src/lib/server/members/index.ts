// Members. Use as `import * as members from '$lib/server/members'`.
export { changeRole, list, remove, type Member } from './queries';
