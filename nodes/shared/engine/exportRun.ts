import type { Logger } from 'n8n-workflow';

import type { ContactFailure, DestinationAdapter, JobStatus } from '../adapter';
import { Ledger } from './accounting';
import type { Batch } from './batching';
import type { DropOrigin } from './accounting';
import type { ExportFailure } from './errors';
import { CancelledFailure, PauseTooLongFailure } from './errors';
import { packWireForms, unpackWireForms } from './packedBatch';
import type { Session } from './session';

/** Times the contacts a service's stopped job never processed are sent again before they end as not sent. */
export const MAX_RESENDS = 3;

/** Progress is logged at most this often (counts only, never contact data). */
const PROGRESS_LOG_INTERVAL_MS = 10_000;

/** Where a batch's contacts were, for the Rejected file. */
const originOf = (batch: Batch): DropOrigin => ({ batch: batch.index, job: batch.jobId });

/** A batch the service took as an asynchronous job, waiting for its result. */
export interface PendingJob {
	jobId: string;
	batch: Batch;
	submittedAt: number;
	/** The last progress value the service reported, and when it changed. */
	progress?: number;
	/** The addresses of the contacts the job holds, listed once when an adapter first asks. */
	emails?: string[];
}

/**
 * The explicit state of one export, shared by its steps (submission, job following, accounting):
 * which batches are settled, which wait for a job, which may have arrived unconfirmed, and why the
 * run stopped. Every contact's fate is decided here and written to the ledger exactly once.
 */
export class ExportRun {
	readonly ledger: Ledger;

	readonly jobs = new Map<string, PendingJob>();

	readonly jobIds: string[] = [];

	/** Batches formed so far (settled or not). */
	batchesFormed = 0;

	batchesSubmitted = 0;

	/** Batches sent whose outcome is unknown (their request may have arrived): they end as unconfirmed. */
	private readonly unconfirmed = new Map<Batch, string>();

	/** Batches formed and not settled yet. */
	private readonly unsettled = new Set<Batch>();

	/** Why the run stopped early; undefined while it goes on. */
	stop?: ExportFailure;

	/** Told of contacts confirmed exported (positions into the batch's arrays): Sync Modes record them. */
	onExported?: (batch: Batch, positions: readonly number[]) => void;

	private lastLog = Date.now();

	constructor(
		readonly adapter: DestinationAdapter,
		readonly session: Session,
		private readonly logger: Logger,
		maxRejectedItems?: number,
	) {
		this.ledger = new Ledger(maxRejectedItems);
	}

	get stopped(): boolean {
		return this.stop !== undefined;
	}

	/** Records the first reason to stop; later ones are consequences of it. */
	stopWith(failure: ExportFailure): void {
		this.stop ??= failure;
	}

	/** Whether jobs already submitted are still worth following after the stop (not after a cancel or a long pause). */
	get mayFollowJobs(): boolean {
		return !(this.stop instanceof CancelledFailure) && !(this.stop instanceof PauseTooLongFailure);
	}

	formed(batch: Batch): void {
		this.batchesFormed++;
		this.unsettled.add(batch);
	}

	/** Rejects the contacts named by `failures` (positions within the request as sent); returns how many. */
	reject(batch: Batch, failures: ContactFailure[]): number {
		const sent = batch.open;
		const failed = new Set<number>();
		for (const failure of failures) {
			const position = sent[failure.position];
			if (position === undefined || failed.has(position)) continue;
			failed.add(position);
			this.ledger.drop(batch.emails[position], failure.reason, failure.message, batch.itemIndex[position], originOf(batch));
		}
		if (failed.size) batch.open = sent.filter((position) => !failed.has(position));
		return failed.size;
	}

	/** The service processed the batch: its contacts are exported except the failures. */
	settle(batch: Batch, created: number | null, updated: number | null, failures: ContactFailure[]): void {
		this.reject(batch, failures);
		this.ledger.accept(batch.open.length, created, updated);
		this.onExported?.(batch, batch.open);
		this.release(batch);
	}

	/**
	 * Splits a refused batch into parts (groups of positions within the request as sent), each a
	 * batch of its own from now on; the parent is accounted through its parts.
	 */
	split(batch: Batch, groups: number[][]): Batch[] {
		const sent = batch.open;
		const parts = groups
			.filter((group) => group.length)
			.map((group): Batch => {
				const positions = group.map((position) => sent[position]);
				return {
					index: batch.index,
					emails: positions.map((position) => batch.emails[position]),
					json: positions.map((position) => batch.json[position]),
					itemIndex: positions.map((position) => batch.itemIndex[position]),
					open: positions.map((_, at) => at),
					...(batch.payloadKeys ? { payloadKeys: positions.map((position) => batch.payloadKeys![position]) } : {}),
				};
			});
		this.release(batch);
		for (const part of parts) this.unsettled.add(part);
		return parts;
	}

	/** Part of a refused batch the budget of extra imports did not reach: never sent again, so not sent. */
	notIsolated(batch: Batch, why: string): void {
		for (const position of batch.open) this.ledger.drop(batch.emails[position], 'not_sent', `Not exported: ${why}`, batch.itemIndex[position], originOf(batch));
		this.release(batch);
	}

	/** The service said it took the batch as a job. */
	submittedAsJob(batch: Batch, jobId: string): void {
		this.jobIds.push(jobId);
		batch.jobId = jobId;
		// While the job runs, its wire forms matter only if it may hand contacts back to send again.
		if (this.adapter.jobsMayStopPartWay) {
			batch.packed = packWireForms(batch.json);
			// Awaited only if the job hands contacts back; if packing failed, they end as not sent.
			batch.packed.catch(() => undefined);
		}
		batch.json = [];
		this.jobs.set(jobId, { jobId, batch, submittedAt: Date.now() });
	}

	/** The batch's request may have reached the service, but its outcome cannot be known. */
	markUnconfirmed(batch: Batch, why: string): void {
		this.unconfirmed.set(batch, why);
	}

	/**
	 * A job ended: settle what it processed; a failed job's contacts end unconfirmed. A job the service
	 * stopped part-way returns the contacts it never processed as a batch to send again (at most
	 * MAX_RESENDS times, and not after the run stopped); otherwise they end as not sent.
	 */
	async endJob(job: PendingJob, status: Exclude<JobStatus, { state: 'pending' }>): Promise<Batch | undefined> {
		this.jobs.delete(job.jobId);
		const { batch } = job;
		const name = `${this.adapter.serviceName} job ${job.jobId}`;
		if (status.state === 'failed') {
			this.markUnconfirmed(batch, `${name} ended without a result: ${status.message}`);
			return;
		}
		if (!status.unprocessed?.positions.length) {
			this.settle(batch, status.created, status.updated, status.failures);
			return;
		}
		// A stopped job: what it processed is settled, the rest is sent again or ends as not sent. Only
		// wire forms packed at submission can be sent again (adapters declare jobsMayStopPartWay); they are
		// unpacked before anything is counted, so that a failure there leaves the contacts to end as not sent.
		const wireForms = batch.packed ? await batch.packed.then(unpackWireForms).catch(() => undefined) : undefined;
		const sent = batch.open;
		const unprocessed = new Set(status.unprocessed.positions.map((position) => sent[position]));
		this.reject(batch, status.failures);
		const processed = batch.open.filter((position) => !unprocessed.has(position));
		this.ledger.accept(processed.length, status.created, status.updated);
		this.onExported?.(batch, processed);
		const resends = batch.resends ?? 0;
		if (!this.stopped && resends < MAX_RESENDS && processed.length < batch.open.length && wireForms) {
			const left = batch.open.flatMap((position, at) => (unprocessed.has(position) ? [at] : []));
			batch.json = wireForms;
			const [again] = this.split(batch, [left]);
			again.resends = resends + 1;
			return again;
		}
		for (const position of batch.open) {
			if (unprocessed.has(position)) {
				this.ledger.drop(batch.emails[position], 'not_sent', `Not exported: ${status.unprocessed.message} before processing this contact. Re-running the export is safe.`, batch.itemIndex[position], originOf(batch));
			}
		}
		this.release(batch);
		return undefined;
	}

	private release(batch: Batch): void {
		this.unsettled.delete(batch);
		this.unconfirmed.delete(batch);
		// The batch's contacts are accounted: let their serialized forms go.
		batch.json = [];
		batch.packed = undefined;
	}

	/** Logs progress every few seconds: counts only. */
	progress(): void {
		if (Date.now() - this.lastLog < PROGRESS_LOG_INTERVAL_MS) return;
		this.lastLog = Date.now();
		const waiting = this.jobs.size ? `, ${this.jobs.size} ${this.jobs.size === 1 ? 'job' : 'jobs'} still running at ${this.adapter.serviceName}` : '';
		this.logger.info(`${this.adapter.serviceName} export: ${this.batchesSubmitted} batches sent, ${this.ledger.exported} contacts exported so far${waiting}`);
	}

	/**
	 * Ends every batch that is not settled: sent ones whose outcome is unknown as unconfirmed,
	 * the others as not sent, each with the reason the run stopped.
	 */
	closeUnsettled(): void {
		const stopReason = this.stop?.message ?? 'the export stopped';
		for (const job of this.jobs.values()) {
			if (!this.unconfirmed.has(job.batch)) this.markUnconfirmed(job.batch, `sent as ${this.adapter.serviceName} job ${job.jobId}, but its result could not be read (${stopReason})`);
		}
		this.jobs.clear();
		for (const batch of this.unsettled) {
			const why = this.unconfirmed.get(batch);
			for (const position of batch.open) {
				if (why !== undefined) {
					this.ledger.drop(batch.emails[position], 'unconfirmed', `Sent, but not confirmed: ${why}. It may be at ${this.adapter.serviceName}; re-running the export is safe.`, batch.itemIndex[position], originOf(batch));
				} else {
					this.ledger.drop(batch.emails[position], 'not_sent', `Not exported: ${stopReason}`, batch.itemIndex[position], originOf(batch));
				}
			}
			batch.json = [];
			batch.packed = undefined;
		}
		this.unsettled.clear();
		this.unconfirmed.clear();
	}

	/** A batch formed after the stop: never sent. */
	notSent(batch: Batch): void {
		this.batchesFormed++;
		const why = `Not exported: ${this.stop?.message ?? 'the export stopped'}`;
		for (const position of batch.open) this.ledger.drop(batch.emails[position], 'not_sent', why, batch.itemIndex[position], originOf(batch));
	}
}
