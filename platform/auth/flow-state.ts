// auth.flow_state: the PKCE code challenge kept from the start of a flow (sign-up, magic
// link, recovery, email change) to the code exchange (POST /token?grant_type=pkce).
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';

/** GoTrue's authentication_method values for the email flows. */
export type FlowMethod = 'email/signup' | 'magiclink' | 'recovery' | 'email_change' | 'invite';

export type FlowStateRow = {
	id: string;
	user_id: string | null;
	auth_code: string;
	code_challenge_method: 's256' | 'plain';
	code_challenge: string;
	provider_type: string;
	authentication_method: string;
	created_at: Date | null;
	auth_code_issued_at: Date | null;
};

export async function createFlowState(
	db: Db,
	params: {
		userId: string;
		providerType: string;
		method: FlowMethod;
		codeChallenge: string;
		codeChallengeMethod: string;
	},
	now: Date
): Promise<void> {
	await db.query(
		`insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge,
		   provider_type, authentication_method, created_at, updated_at)
		 values ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		[
			randomUUID(),
			params.userId,
			randomUUID(),
			params.codeChallengeMethod.toLowerCase(),
			params.codeChallenge,
			params.providerType,
			params.method,
			now
		]
	);
}

/** The latest flow of this kind for the user; its auth code is what GET /verify hands out. */
export async function issueAuthCode(
	db: Db,
	userId: string,
	method: FlowMethod,
	now: Date
): Promise<string | null> {
	const { rows } = await db.query<{ auth_code: string }>(
		`update auth.flow_state set auth_code_issued_at = $3, updated_at = $3
		 where id = (select id from auth.flow_state where user_id = $1 and authentication_method = $2
		             order by created_at desc limit 1)
		 returning auth_code`,
		[userId, method, now]
	);
	return rows[0]?.auth_code ?? null;
}

export async function findFlowStateByAuthCode(
	db: Db,
	authCode: string
): Promise<FlowStateRow | null> {
	const { rows } = await db.query<FlowStateRow>(
		`select id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
		        authentication_method, created_at, auth_code_issued_at
		 from auth.flow_state where auth_code = $1 for update`,
		[authCode]
	);
	return rows[0] ?? null;
}

/** GoTrue: magic-link flows count from when the code was issued, others from the start. */
export function isFlowStateExpired(flow: FlowStateRow, expirySeconds: number, now: Date): boolean {
	const from =
		flow.authentication_method === 'magiclink' && flow.auth_code_issued_at
			? flow.auth_code_issued_at
			: flow.created_at;
	return from === null || now.getTime() > from.getTime() + expirySeconds * 1000;
}

export async function deleteFlowState(db: Db, id: string): Promise<void> {
	await db.query('delete from auth.flow_state where id = $1', [id]);
}
