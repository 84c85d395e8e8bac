import type { BatchOutcome } from '../adapter';
import type { Batch } from './batching';
import { asExportFailure, StopFailure } from './errors';
import type { ExportRun } from './exportRun';

/**
 * Submission step: a few workers take batches from the (possibly streamed) source in order and
 * send each; the pacer decides how fast they may go. A failure ends the step with the reason on
 * the run; whatever was formed but not settled is accounted by the run afterwards.
 */
export async function submitBatches(run: ExportRun, batches: AsyncIterator<Batch>, workers: number): Promise<void> {
	const worker = async () => {
		while (!run.stopped) {
			const next = await batches.next();
			if (next.done) return;
			run.formed(next.value);
			if (run.stopped) return;
			await submitBatch(run, next.value);
			run.progress();
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
}

async function submitBatch(run: ExportRun, batch: Batch): Promise<void> {
	const { adapter, session } = run;
	for (;;) {
		if (batch.open.length === 0) {
			run.settle(batch, 0, 0, []);
			return;
		}
		const emails = batch.open.map((position) => batch.emails[position]);
		const request = adapter.buildBatchRequest(batch.open.map((position) => batch.json[position]).join(','), batch.open.length);
		let outcome: BatchOutcome;
		try {
			outcome = await session.send(request, 'import', (response) => adapter.interpretBatchResponse(response, emails));
		} catch (error) {
			const failure = asExportFailure(error, adapter.serviceName);
			if (failure.mayHaveArrived) run.markUnconfirmed(batch, failure.message);
			run.stopWith(failure);
			return;
		}
		if (outcome.kind === 'resend_without') {
			if (run.reject(batch, outcome.failures) === 0) {
				run.stopWith(new StopFailure(`${adapter.serviceName} refused a batch without naming the contacts at fault`));
				return;
			}
			continue;
		}
		run.batchesSubmitted++;
		if (outcome.kind === 'job') run.submittedAsJob(batch, outcome.jobId);
		else run.settle(batch, outcome.created, outcome.updated, outcome.failures);
		return;
	}
}
