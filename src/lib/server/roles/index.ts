// Custom roles. Use as `import * as roles from '$lib/server/roles'`.
export {
	basePermissions,
	catalog,
	create,
	list,
	remove,
	update,
	type CustomRole,
	type Permission
} from './queries';
