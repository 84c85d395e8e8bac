import { sleep } from 'n8n-workflow';

import { CancelledFailure } from './errors';

/**
 * n8n-workflow's `sleep` cannot be aborted and timers are off limits in community nodes, so every
 * wait is cut into slices of at most this long with a look at the cancel signal between them.
 */
export const WAIT_SLICE_MS = 250;

/** Something that says whether the execution was cancelled (n8n's execution cancel signal). */
export interface CancelSignal {
	readonly aborted: boolean;
}

/** Sleeps `ms`, ending within one slice of a cancel by throwing CancelledFailure. */
export async function waitFor(ms: number, signal: CancelSignal | undefined): Promise<void> {
	const until = Date.now() + ms;
	for (;;) {
		if (signal?.aborted) throw new CancelledFailure();
		const left = until - Date.now();
		if (left <= 0) return;
		await sleep(Math.min(left, WAIT_SLICE_MS));
	}
}

/** Throws CancelledFailure if the execution was cancelled. */
export function checkCancelled(signal: CancelSignal | undefined): void {
	if (signal?.aborted) throw new CancelledFailure();
}
