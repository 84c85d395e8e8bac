import type { DestinationResponse } from '../adapter';

/** Attempts for one request when the service is failing (5xx, network errors). */
export const MAX_FAILURE_ATTEMPTS = 8;
/** Attempts for one request when the service only asks us to slow down (429): pacing, not failure. */
export const MAX_THROTTLE_ATTEMPTS = 40;
/** First back-off delay; doubles with each failed attempt up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 60_000;
/**
 * Longest pause a service may impose (Retry-After, X-RateLimit-Reset) that a run waits out; a longer
 * one ends the run at once with the time the service named, and the account stays paused.
 */
export const MAX_IMPOSED_WAIT_MS = 15 * 60_000;

/** Exponential back-off with jitter, so parallel requests that failed together do not return together. */
export function backoffMs(attempt: number): number {
	const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function header(response: DestinationResponse, name: string): string | undefined {
	const value = response.headers[name] ?? response.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** Seconds or an HTTP date (Retry-After); seconds from now or an epoch time (X-RateLimit-Reset). */
function toDelayMs(value: string | undefined, now: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const number = Number(value);
	if (Number.isFinite(number)) {
		if (number > 1e9) return Math.max(0, number * 1000 - now);
		return Math.max(0, number * 1000);
	}
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How long the service asked us to wait: Retry-After, or for a 429 X-RateLimit-Reset. */
export function imposedWaitMs(response: DestinationResponse, now = Date.now()): number | undefined {
	const retryAfter = toDelayMs(header(response, 'retry-after'), now);
	if (retryAfter !== undefined) return retryAfter;
	return response.statusCode === 429 ? toDelayMs(header(response, 'x-ratelimit-reset'), now) : undefined;
}

/** The service's own account of its rate window (X-RateLimit-Remaining and -Reset), when it gives one. */
export function rateWindow(response: DestinationResponse, now = Date.now()): { remaining: number; resetMs: number } | undefined {
	const remaining = Number(header(response, 'x-ratelimit-remaining'));
	const resetMs = toDelayMs(header(response, 'x-ratelimit-reset'), now);
	if (!Number.isFinite(remaining) || resetMs === undefined || header(response, 'x-ratelimit-remaining') === undefined) return undefined;
	return { remaining, resetMs };
}

/** Statuses worth another try whatever the service: throttling, time-outs and server trouble. */
export function isRetryableStatus(statusCode: number): boolean {
	return statusCode === 429 || statusCode === 408 || statusCode >= 500;
}

/** Asynchronous jobs are given up on when all of them together take longer than this. */
export const MAX_JOB_WAIT_MS = 6 * 60 * 60_000;
/** Jobs that show no progress (none ends, none advances) for this long are given up on; Options → Job Timeout. */
export const DEFAULT_JOB_STALL_MS = 30 * 60_000;
/** Pages a paginated look-up reads at most, whatever the service says of its total. */
export const MAX_PAGES = 1000;
