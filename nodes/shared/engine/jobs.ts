import type { JobStatus } from '../adapter';
import { asExportFailure, StopFailure } from './errors';
import type { ExportRun, PendingJob } from './exportRun';
import { MAX_JOB_WAIT_MS } from './retryPolicy';
import { submitAgain } from './submission';
import { waitFor } from './waiting';

export interface JobFollowing {
	/** Milliseconds between looks at the jobs. */
	intervalMs: number;
	/** The jobs as a whole may show no progress for this long before the run stops following them. */
	stallMs: number;
	/** Whether batches are still being submitted (new jobs may come). */
	submitting(): boolean;
}

/**
 * Job following step: polls the service until submission is over and every job ended. A job that
 * fails ends at once; when no job ends or advances for `stallMs`, or all of them take longer than
 * MAX_JOB_WAIT_MS, the run stops naming the oldest job. Jobs still pending then end as unconfirmed.
 */
export async function followJobs(run: ExportRun, following: JobFollowing): Promise<void> {
	const { adapter, session } = run;
	if (!adapter.pollJobs) return;
	const startedAt = Date.now();
	let lastProgressAt = Date.now();
	while ((following.submitting() && !run.stopped) || (run.jobs.size && (!run.stopped || run.mayFollowJobs))) {
		await waitFor(following.intervalMs, session.signal);
		if (!following.submitting()) run.progress();
		if (run.jobs.size === 0) {
			lastProgressAt = Date.now();
			continue;
		}
		const oldest = run.jobs.values().next().value as PendingJob;
		if (Date.now() - lastProgressAt > following.stallMs) {
			throw new StopFailure(
				`${adapter.serviceName} job ${oldest.jobId} made no progress for ${minutes(following.stallMs)}`,
				'Its contacts are reported as unconfirmed: they may still arrive. The limit is in Options → Job Timeout.',
			);
		}
		if (Date.now() - startedAt > MAX_JOB_WAIT_MS) {
			throw new StopFailure(`${adapter.serviceName} jobs did not finish within ${minutes(MAX_JOB_WAIT_MS)} (oldest: job ${oldest.jobId})`);
		}
		const pending = [...run.jobs.values()];
		let statuses: Map<string, JobStatus>;
		try {
			statuses = await adapter.pollJobs(
				async (request, purpose) => await session.fetch(request, purpose),
				// Addresses are listed only for the jobs an adapter reads results of, once each: with
				// thousands of jobs queued, listing every job's contacts every round would cost more
				// than the polls themselves.
				pending.map((job) => ({
					jobId: job.jobId,
					get emails() {
						job.emails ??= job.batch.open.map((position) => job.batch.emails[position]);
						return job.emails;
					},
				})),
			);
		} catch (error) {
			throw asExportFailure(error, adapter.serviceName);
		}
		for (const job of pending) {
			const status = statuses.get(job.jobId);
			if (!status) continue;
			if (status.state === 'pending') {
				if (status.progress !== undefined && status.progress !== job.progress) {
					job.progress = status.progress;
					lastProgressAt = Date.now();
				}
				continue;
			}
			lastProgressAt = Date.now();
			const again = await run.endJob(job, status);
			run.progress();
			if (again) await submitAgain(run, again);
			// A job the service stopped part-way (too many refused items) does not stop the export: its
			// unprocessed contacts were sent again above (or end as not sent), and the other batches go on.
			if (status.state === 'failed') run.stopWith(new StopFailure(`${adapter.serviceName} job ${job.jobId} failed: ${status.message}`));
		}
	}
}

function minutes(ms: number): string {
	const value = ms / 60_000;
	if (value >= 120) return `${Math.round(value / 60)} hours`;
	return value >= 1 ? `${Math.round(value)} minutes` : `${Math.round(ms / 1000)} seconds`;
}
