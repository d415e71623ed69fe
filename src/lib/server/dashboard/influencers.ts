// The home page's influencer card: how many influencers are in each column of
// the board (one index range per organization: influencers_board_idx).
import type { Trx } from '../db/rls.ts';
import { pipelineCounts } from '../influencers/influencers.ts';

export type InfluencersSummary = { cold: number; active: number; final: number };

export async function influencersSummary(trx: Trx, orgId: string): Promise<InfluencersSummary> {
	return pipelineCounts(trx, orgId);
}
