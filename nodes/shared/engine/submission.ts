import type { BatchOutcome, RequestCount, RequestPurpose } from '../adapter';
import type { Batch } from './batching';
import { asExportFailure, StopFailure } from './errors';
import type { ExportRun } from './exportRun';

/**
 * Extra imports one refused batch may cost to find the contacts at fault (a bisection of 250
 * contacts narrows one culprit to about 16 of them; a hint from the service finds it in 3).
 */
export const MAX_ISOLATION_IMPORTS = 8;

/** What is left of the extra imports for one refused batch, shared by all its parts. */
interface IsolationBudget {
	left: number;
	/** The service's words for the first refusal, for the contacts the budget did not reach. */
	message: string;
}

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

/** Sends a batch formed earlier again (the contacts a stopped job never processed). */
export async function submitAgain(run: ExportRun, batch: Batch): Promise<void> {
	await submitBatch(run, batch);
}

/** The purpose a bulk request is paced under: a single contact has a window of its own where the service publishes one. */
function importPurpose(run: ExportRun, count: number): RequestPurpose {
	return count === 1 && run.adapter.limits.singleImportRequestsPerMinute ? 'import-single' : 'import';
}

async function submitBatch(run: ExportRun, batch: Batch, isolation?: IsolationBudget): Promise<void> {
	const { adapter, session } = run;
	for (;;) {
		if (batch.open.length === 0) {
			run.settle(batch, 0, 0, []);
			return;
		}
		const emails = batch.open.map((position) => batch.emails[position]);
		const request = adapter.buildBatchRequest(batch.open.map((position) => batch.json[position]).join(','), batch.open.length);
		const purpose = importPurpose(run, batch.open.length);
		const countAs: RequestCount = isolation ? 'isolate' : purpose;
		let outcome: BatchOutcome;
		try {
			outcome = await session.send(request, purpose, (response) => adapter.interpretBatchResponse(response, emails), countAs);
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
		if (outcome.kind === 'refused') {
			if (batch.open.length === 1) {
				// Alone in its request and still refused: this contact is at fault.
				run.reject(batch, [{ position: 0, reason: 'rejected_by_destination', message: outcome.message }]);
				continue;
			}
			await isolate(run, batch, outcome, isolation ?? { left: MAX_ISOLATION_IMPORTS, message: outcome.message });
			return;
		}
		run.batchesSubmitted++;
		if (outcome.kind === 'job') run.submittedAsJob(batch, outcome.jobId);
		else run.settle(batch, outcome.created, outcome.updated, outcome.failures);
		return;
	}
}

/**
 * Finds the contacts at fault in a refused batch by sending it again in parts: the contacts the
 * service did not hint at together, then the suspects alone (two or fewer) or in halves; without
 * a usable hint, the batch in halves. Each part that is refused again is split the same way, until
 * the budget is spent: parts it did not reach end as not sent, never as rejected.
 */
async function isolate(run: ExportRun, batch: Batch, outcome: { suspects: number[]; message: string }, budget: IsolationBudget): Promise<void> {
	const parts = run.split(batch, isolationGroups(batch.open.length, outcome.suspects));
	for (const part of parts) {
		if (run.stopped) return;
		if (budget.left <= 0) {
			run.notIsolated(
				part,
				`${run.adapter.serviceName} refused a request holding this contact among others (${budget.message}), and the contact at fault could not be found within ${MAX_ISOLATION_IMPORTS} extra imports. Re-running the export is safe.`,
			);
			continue;
		}
		budget.left--;
		await submitBatch(run, part, budget);
	}
}

/** Groups of positions (0 … count − 1) to send apart, from the suspects the service hinted at. */
export function isolationGroups(count: number, suspects: readonly number[]): number[][] {
	const all = Array.from({ length: count }, (_, position) => position);
	const named = new Set(suspects.filter((position) => Number.isInteger(position) && position >= 0 && position < count));
	const halves = (positions: number[]) => [positions.slice(0, Math.ceil(positions.length / 2)), positions.slice(Math.ceil(positions.length / 2))];
	if (named.size === 0 || named.size === count) return halves(all);
	const suspected = all.filter((position) => named.has(position));
	const rest = all.filter((position) => !named.has(position));
	return [rest, ...(suspected.length <= 2 ? suspected.map((position) => [position]) : halves(suspected))];
}
