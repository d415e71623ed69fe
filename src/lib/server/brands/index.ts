// Brands. Use as `import * as brands from '$lib/server/brands'`.
export { create, get, list, remove, update, type Brand } from './queries';
