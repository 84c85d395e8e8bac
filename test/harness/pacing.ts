import { REQUEST_LOG_MESSAGE } from '../../nodes/shared/engine/session';
import type { LogLine } from './run';

/** One request as the engine logged it: when it was let go and when its answer came. */
export interface SentRequest {
	/** The adapter's `destination` (the sandbox's service name). */
	service?: string;
	purpose: string;
	status: number | string;
	sentAt: number;
	answeredAt: number;
}

/** The engine's own record of its requests (debug lines), in the order they were sent. */
export function sentRequests(lines: LogLine[]): SentRequest[] {
	return lines
		.filter((line) => line.message === REQUEST_LOG_MESSAGE)
		.map((line) => line.metadata as SentRequest)
		.sort((a, b) => a.sentAt - b.sentAt);
}

/**
 * Requests that, wherever between their sending and their answer the service stamped them, could
 * make a window of `windowMs` at the service hold more than `limit`: those sent while `limit` earlier
 * requests had been answered less than a window before (or not at all). Empty when pacing is right.
 */
export function windowOverruns(requests: SentRequest[], limit: number, windowMs: number): SentRequest[] {
	const overruns: SentRequest[] = [];
	for (let j = 0; j < requests.length; j++) {
		let occupying = 0;
		for (let i = 0; i < j; i++) if (requests[i].answeredAt > requests[j].sentAt - windowMs) occupying++;
		if (occupying >= limit) overruns.push(requests[j]);
	}
	return overruns;
}
