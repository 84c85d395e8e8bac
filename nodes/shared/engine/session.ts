import type { IExecuteFunctions, Logger } from 'n8n-workflow';

import type { DestinationAdapter, DestinationRequest, DestinationResponse, RequestCount, RequestPurpose } from '../adapter';
import { answerFailure, redirectFailure, sendRaw, unreadableAnswer } from '../transport';
import { ExportFailure, RetryableFailure, StopFailure, UnconfirmedFailure } from './errors';
import type { AccountPacer, PaceSignals } from './rateLimiter';
import { backoffMs, imposedWaitMs, isRetryableStatus, MAX_FAILURE_ATTEMPTS, MAX_IMPOSED_WAIT_MS, MAX_THROTTLE_ATTEMPTS, rateWindow } from './retryPolicy';
import type { CancelSignal } from './waiting';
import { checkCancelled, waitFor } from './waiting';

/**
 * Reads one answer: a value to keep, or undefined to leave it to the generic rules (retry 429, 408
 * and 5xx; stop on anything else). May throw a typed failure.
 */
export type AnswerReader<T> = (response: DestinationResponse) => T | undefined;

const PURPOSE_WORDS: Record<RequestPurpose, string> = { discovery: 'a look-up', import: 'an import', 'import-single': 'an import', poll: 'a job status request', read: 'a read of the target', remove: 'a removal' };

/** Debug log message of every request, with its timing (no contact data): tests check pacing from it. */
export const REQUEST_LOG_MESSAGE = 'segment-export request';

/**
 * One export's connection to its service: every request goes through here, so pacing, retries,
 * honouring the service's wait instructions, cancellation and the request counts live in one place.
 * Failures leave as typed errors; a failure that may have reached the service is marked so
 * (`mayHaveArrived`), because then its contacts are unconfirmed rather than not sent.
 */
export class Session {
	requests = 0;

	retries = 0;

	readonly requestsByPurpose: Record<RequestCount, number> = { discovery: 0, import: 0, 'import-single': 0, poll: 0, read: 0, remove: 0, isolate: 0 };

	readonly signal?: CancelSignal;

	private readonly logger: Logger;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly adapter: DestinationAdapter,
		private readonly pacer: AccountPacer,
		private readonly oauth2: boolean,
		/** The credential's rate limit factor: back-offs shrink with it, as the limits grow. */
		private readonly factor = 1,
		private readonly maxWaitMs = MAX_IMPOSED_WAIT_MS,
	) {
		this.signal = context.getExecutionCancelSignal?.();
		this.logger = context.logger;
	}

	get cancelled(): boolean {
		return this.signal?.aborted === true;
	}

	/**
	 * Sends once under the pacer and reads the answer; the pacer learns what the answer said of the
	 * account's limits, including a throttling answer only the adapter recognises (ActiveCampaign's
	 * 400 "Rate limit exceeded" for its imports per minute), which overran them as a 429 does.
	 */
	private async sendOnce<T>(
		request: DestinationRequest,
		purpose: RequestPurpose,
		countAs: RequestCount,
		read: AnswerReader<T>,
	): Promise<{ response: DestinationResponse; value?: T; failure?: unknown }> {
		const { serviceName } = this.adapter;
		const ticket = await this.pacer.acquire(purpose, {
			signal: this.signal,
			serviceName,
			maxWaitMs: this.maxWaitMs,
			onLongWait: (waitMs, why) =>
				this.logger.info(`${serviceName} export: waiting ${Math.ceil(waitMs / 1000)} s before the next request (${why})`),
		});
		this.requests++;
		this.requestsByPurpose[countAs]++;
		let signals: PaceSignals = {};
		let status: number | string = 'failed';
		try {
			const response = await sendRaw(this.context, this.adapter.credentialType, this.adapter.baseUrl, request, { oauth2: this.oauth2, serviceName });
			status = response.statusCode;
			signals = { window: rateWindow(response), pauseMs: imposedWaitMs(response), throttled: response.statusCode === 429 };
			try {
				return { response, value: this.read(response, read, purpose) };
			} catch (failure) {
				if (failure instanceof RetryableFailure && failure.options.throttled) signals.throttled = true;
				return { response, failure };
			}
		} finally {
			this.pacer.settle(ticket, signals);
			this.logger.debug(REQUEST_LOG_MESSAGE, { service: this.adapter.destination, purpose, status, sentAt: ticket.sentAt, answeredAt: ticket.answeredAt });
		}
	}

	/**
	 * Sends until `read` keeps an answer, within the retry policy. Throttling answers (429) wait as
	 * long as the service says, or back off the whole account when it says nothing; failures (5xx,
	 * lost answers) back off this request exponentially. Every wait is cancellable and capped.
	 */
	async send<T>(request: DestinationRequest, purpose: RequestPurpose, read: AnswerReader<T>, countAs: RequestCount = purpose): Promise<T> {
		let failures = 0;
		let throttles = 0;
		let mayHaveArrived = false;
		for (;;) {
			const attempt = await this.attempt(request, purpose, read, countAs);
			if (attempt.ok) return attempt.value;
			const failure = attempt.failure;
			if (!(failure instanceof ExportFailure)) throw failure;
			mayHaveArrived ||= failure.mayHaveArrived;
			if (!(failure instanceof RetryableFailure)) {
				failure.mayHaveArrived = mayHaveArrived;
				throw failure;
			}
			if (failure.options.throttled) throttles++;
			else failures++;
			if (failures >= MAX_FAILURE_ATTEMPTS || throttles >= MAX_THROTTLE_ATTEMPTS) {
				const message = `${this.adapter.serviceName} still failed after ${failures + throttles} attempts (last: ${failure.message})`;
				throw mayHaveArrived ? new UnconfirmedFailure(message) : new StopFailure(message);
			}
			this.retries++;
			await this.backOff(failure, throttles, failures);
		}
	}

	/** One attempt: the kept value, or what went wrong (typed failures, or anything an adapter threw). */
	private async attempt<T>(
		request: DestinationRequest,
		purpose: RequestPurpose,
		read: AnswerReader<T>,
		countAs: RequestCount,
	): Promise<{ ok: true; value: T } | { ok: false; failure: unknown }> {
		try {
			checkCancelled(this.signal);
			const { response, value, failure } = await this.sendOnce(request, purpose, countAs, read);
			if (failure !== undefined) return { ok: false, failure };
			if (value !== undefined) return { ok: true, value };
			return {
				ok: false,
				failure: new RetryableFailure(`HTTP ${response.statusCode}`, {
					throttled: response.statusCode === 429,
					waitMs: imposedWaitMs(response),
					// 503 and 429 say the request was not taken; other 5xx and 408 may come after processing.
					mayHaveArrived: (response.statusCode >= 500 && response.statusCode !== 503) || response.statusCode === 408,
				}),
			};
		} catch (error) {
			return { ok: false, failure: error };
		}
	}

	/** Applies the adapter's reading, then the generic rules for what it left. */
	private read<T>(response: DestinationResponse, read: AnswerReader<T>, purpose: RequestPurpose): T | undefined {
		const { serviceName } = this.adapter;
		const fatal = this.adapter.fatalMessage?.(response);
		if (fatal !== undefined) throw new StopFailure(fatal, undefined, response.statusCode);
		const redirect = redirectFailure(serviceName, response);
		if (redirect) throw redirect;
		const value = read(response);
		if (value !== undefined) return value;
		if (isRetryableStatus(response.statusCode)) return undefined;
		// A success the adapter could not read may still have been processed: never success, never "not sent".
		if (response.statusCode >= 200 && response.statusCode < 300) throw unreadableAnswer(serviceName, PURPOSE_WORDS[purpose], response);
		throw answerFailure(serviceName, PURPOSE_WORDS[purpose], response, this.oauth2);
	}

	/** Waits before the next attempt: as long as the service said, or an exponential back-off. */
	private async backOff(failure: RetryableFailure, throttles: number, failures: number): Promise<void> {
		const waitMs = failure.options.waitMs;
		if (waitMs !== undefined) {
			// The whole account waits as long as the service said (the pacer stops the run at the next
			// request if that is longer than the cap).
			this.pacer.pauseUntil(Date.now() + waitMs, `it answered ${failure.message} and asked to wait`);
			return;
		}
		if (failure.options.throttled) {
			// A 429 without timing: slow the whole account down, not just this request.
			this.pacer.pauseUntil(Date.now() + backoffMs(throttles) / this.factor, 'it answered 429 without saying how long to wait');
			return;
		}
		await waitFor(backoffMs(failures) / this.factor, this.signal);
	}

	/**
	 * Sends a discovery or polling request: retryable statuses are retried, redirects and quota
	 * answers stop, any other answer is returned for the adapter to read.
	 */
	async fetch(request: DestinationRequest, purpose: RequestPurpose): Promise<DestinationResponse> {
		return await this.send(request, purpose, (response) => (isRetryableStatus(response.statusCode) ? undefined : response));
	}
}
