// User profiles (public.profiles, 1:1 with auth.users).
// Use as a namespace: `import * as profiles from '$lib/server/profiles'`.
export { get, update, type Profile, type ProfileUpdate } from './queries';
export { ProfileNotFoundError } from './errors';
