// See https://svelte.dev/docs/kit/types#app.d.ts
import type { FormMessage } from '$lib/forms';
import type { Supabase, SessionUser, VerifiedClaims } from '$lib/server/auth';
import type { Trx } from '$lib/server/db';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** Quoted to support when something unexpected failed; the details stay in the logs. */
			errorId?: string;
		}
		interface Locals {
			/** This request's Supabase client (session in cookies). Auth calls only. */
			supabase: Supabase;
			/** The access token's claims, verified on this request; null when signed out. */
			claims: VerifiedClaims | null;
			user: SessionUser | null;
			/**
			 * Runs `fn` in one transaction as the request's role and claims, under RLS;
			 * `readOnly` for a page that only reads (Postgres refuses any write in it).
			 */
			db: <T>(fn: (trx: Trx) => Promise<T>, options?: { readOnly?: boolean }) => Promise<T>;
		}
		interface PageData {
			/** The signed-in person, as the root layout loads it. */
			user: (SessionUser & { fullName: string }) | null;
		}
		// interface PageState {}
		// interface Platform {}
		namespace Superforms {
			type Message = FormMessage;
		}
	}
}

export {};
