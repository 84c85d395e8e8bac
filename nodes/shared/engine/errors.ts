/**
 * How a request to a service failed, as typed errors thrown where the failure is known and caught
 * once by the engine. Messages never hold secrets or contact data: they are built from status
 * codes, host names and the service's own words only.
 */

/** Base of every failure the engine knows how to account for. */
export abstract class ExportFailure extends Error {
	/** Extra guidance for the person reading the error (n8n shows it under the message). */
	description?: string;

	/**
	 * Whether the service may have received (and processed) the request: then its contacts end as
	 * unconfirmed, not as not sent. Set by the session from everything it saw of the request.
	 */
	mayHaveArrived = false;

	constructor(message: string, description?: string) {
		super(message);
		this.name = new.target.name;
		this.description = description;
	}
}

/**
 * The request may succeed if sent again later: throttling, a time-out, an outage. `mayHaveArrived`
 * says whether the service may have received (and processed) the request before the failure: when
 * retries run out, such an import ends as unconfirmed rather than not sent.
 */
export class RetryableFailure extends ExportFailure {
	constructor(
		message: string,
		readonly options: { waitMs?: number; throttled?: boolean; mayHaveArrived?: boolean } = {},
	) {
		super(message);
		this.mayHaveArrived = options.mayHaveArrived === true;
	}
}

/** Nothing more can be sent in this run (credentials refused, quota spent, request refused, blocked). */
export class StopFailure extends ExportFailure {
	constructor(
		message: string,
		description?: string,
		readonly statusCode?: number,
	) {
		super(message, description);
	}
}

/** The node refuses to run as set (Mirror unavailable, the removal safety cap): checked before anything is written. */
export class RefusalFailure extends StopFailure {}

/**
 * The service may have processed the request but its answer could not be read (unexpected shape,
 * lost connection after sending, a cancel in flight): the contacts' fate is unknown, never success.
 */
export class UnconfirmedFailure extends ExportFailure {
	constructor(message: string, description?: string) {
		super(message, description);
		this.mayHaveArrived = true;
	}
}

/** The execution was cancelled; requests in flight end as unconfirmed, the rest as not sent. */
export class CancelledFailure extends StopFailure {
	constructor() {
		super('the execution was cancelled');
	}
}

/** The service asked for a pause longer than the engine waits: the run ends now, the account stays paused. */
export class PauseTooLongFailure extends StopFailure {
	constructor(
		serviceName: string,
		readonly untilMs: number,
		why: string,
	) {
		super(
			`${serviceName} asked to wait until ${clockTime(untilMs)} (${why})`,
			`This run stopped instead of waiting. Run the export again after ${clockTime(untilMs)}: contacts are upserted, so re-running is safe.`,
		);
	}
}

/** "14:05 UTC" for times today, with the date for later days. */
export function clockTime(epochMs: number, now = Date.now()): string {
	const iso = new Date(epochMs).toISOString();
	const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
	return sameDay ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Wraps anything thrown by code the engine does not own (an adapter's parser, say) as unconfirmed. */
export function asExportFailure(error: unknown, serviceName: string): ExportFailure {
	if (error instanceof ExportFailure) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new UnconfirmedFailure(`${serviceName}'s answer could not be read (${message})`);
}
