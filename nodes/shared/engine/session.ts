import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { DestinationAdapter, DestinationRequest, DestinationResponse, RequestPurpose } from '../adapter';
import { sendRaw } from '../transport';
import type { RateLimiter } from './rateLimiter';
import {
	backoffMs,
	imposedWaitMs,
	isRetryableStatus,
	MAX_FAILURE_ATTEMPTS,
	MAX_IMPOSED_WAIT_MS,
	MAX_THROTTLE_ATTEMPTS,
	rateWindow,
} from './retryPolicy';

/** What to do with one answer: keep it, or try again. */
export type Decision<T> = { retry: false; value: T } | { retry: true; message: string; waitMs?: number };

/** The kept answer, or why none could be had within the retry policy (the message holds no secret). */
export type SendResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * One export's connection to its service: every request goes through here, so pacing, retries,
 * honouring the service's wait instructions and the request counts live in one place.
 */
export class Session {
	requests = 0;

	retries = 0;

	readonly requestsByPurpose: Record<RequestPurpose, number> = { discovery: 0, import: 0, poll: 0 };

	/** Set when a discovery or polling request could not be completed: the caller stops. */
	failure?: string;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly adapter: DestinationAdapter,
		private readonly limiter: RateLimiter,
		private readonly oauth2: boolean,
	) {}

	get cancelled(): boolean {
		return this.context.getExecutionCancelSignal?.()?.aborted === true;
	}

	/** Sends once under the limiter and applies any wait the answer imposes on the whole account. */
	private async sendOnce(request: DestinationRequest, purpose: RequestPurpose): Promise<DestinationResponse> {
		await this.limiter.acquire(purpose);
		this.requests++;
		this.requestsByPurpose[purpose]++;
		const response = await sendRaw(this.context, this.adapter.credentialType, this.adapter.baseUrl, request, { oauth2: this.oauth2 });
		this.limiter.release();
		const window = rateWindow(response);
		if (window) this.limiter.observeWindow(window.remaining, window.resetMs);
		const waitMs = imposedWaitMs(response);
		if (waitMs !== undefined && waitMs > 0) this.limiter.pauseUntil(Date.now() + waitMs);
		return response;
	}

	/**
	 * Sends until `decide` keeps an answer, within the retry policy. Throttling answers (429) wait as
	 * long as the service says, or back off the whole account when it says nothing; failures (5xx,
	 * network) back off this request exponentially.
	 */
	async send<T>(request: DestinationRequest, purpose: RequestPurpose, decide: (response: DestinationResponse) => Decision<T>): Promise<SendResult<T>> {
		let failures = 0;
		let throttles = 0;
		for (;;) {
			if (this.cancelled) return { ok: false, message: 'the execution was cancelled' };
			const response = await this.sendOnce(request, purpose);
			const decision: Decision<T> = response.networkError
				? { retry: true, message: `network error (${response.networkError})` }
				: decide(response);
			if (!decision.retry) return { ok: true, value: decision.value };

			const throttled = response.statusCode === 429;
			if (throttled) throttles++;
			else failures++;
			if (failures >= MAX_FAILURE_ATTEMPTS || throttles >= MAX_THROTTLE_ATTEMPTS) {
				return { ok: false, message: `${this.adapter.serviceName} still failed after ${failures + throttles} attempts (last: ${decision.message})` };
			}
			const waitMs = decision.waitMs ?? imposedWaitMs(response);
			if (waitMs !== undefined && waitMs > MAX_IMPOSED_WAIT_MS) {
				return { ok: false, message: `${this.adapter.serviceName} asked to wait ${Math.ceil(waitMs / 60_000)} minutes (${decision.message})` };
			}
			this.retries++;
			if (waitMs !== undefined) {
				this.limiter.pauseUntil(Date.now() + waitMs);
			} else if (throttled) {
				// A 429 without timing: slow the whole account down, not just this request.
				this.limiter.pauseUntil(Date.now() + backoffMs(throttles));
			} else {
				await sleep(backoffMs(failures));
			}
		}
	}

	/**
	 * Sends a discovery or polling request: retryable statuses are retried, any other answer is
	 * returned. When retries run out, `failure` is set and a status-0 answer returned.
	 */
	async fetch(request: DestinationRequest, purpose: RequestPurpose): Promise<DestinationResponse> {
		let fatal: string | undefined;
		const result = await this.send(request, purpose, (response): Decision<DestinationResponse> => {
			fatal = this.adapter.fatalMessage?.(response);
			if (fatal === undefined && isRetryableStatus(response.statusCode)) return { retry: true, message: `HTTP ${response.statusCode}` };
			return { retry: false, value: response };
		});
		if (fatal !== undefined) {
			this.failure ??= fatal;
			return { statusCode: 0, headers: {}, body: undefined, networkError: fatal };
		}
		if (result.ok) return result.value;
		this.failure ??= result.message;
		return { statusCode: 0, headers: {}, body: undefined, networkError: result.message };
	}
}
