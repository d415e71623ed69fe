// How an import's status reads on screen.
export const IMPORT_STATUS: Record<
	string,
	{ label: string; tone: 'neutral' | 'brand' | 'success' | 'warning' | 'danger' }
> = {
	draft: { label: 'Not started', tone: 'neutral' },
	queued: { label: 'Waiting', tone: 'brand' },
	running: { label: 'Importing', tone: 'brand' },
	completed: { label: 'Completed', tone: 'success' },
	failed: { label: 'Failed', tone: 'danger' },
	cancelled: { label: 'Cancelled', tone: 'warning' }
};

/** "1.2 MB". */
export function fileSize(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
