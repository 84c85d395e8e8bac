import type { MirrorSupport, RemovalJobStatus, RemovalScope, TargetMember } from '../adapter';
import { asExportFailure, StopFailure } from './errors';
import { MAX_JOB_WAIT_MS } from './retryPolicy';
import type { Session } from './session';
import { waitFor } from './waiting';

/** One group of removals: the same scope for all its contacts. */
export interface RemovalWork {
	members: TargetMember[];
	scope: RemovalScope;
}

/** What the removals did: addresses taken out of the target, and those that could not be (with why). */
export interface RemovalResult {
	removed: string[];
	/** Departed contacts taken out of the target (part of `removed`'s requests; stale tags are counted apart). */
	departedRemoved: number;
	staleTagsRemoved: number;
	/** Contacts the service said it could not remove: still managed, tried again next run. */
	failed: Array<{ email: string; message: string }>;
	/**
	 * Departed contacts whose removal may or may not have happened (a failed or unfinished job, a
	 * stop): no longer counted as managed, so one that comes back is sent again rather than taken for
	 * unchanged while gone from the target.
	 */
	uncertain: Array<{ email: string; message: string }>;
	/** Why removals stopped early, if they did. */
	stop?: Error;
}

interface RemovalJob {
	jobId: string;
	members: TargetMember[];
	scope: RemovalScope;
	submittedAt: number;
}

/**
 * Sends the removals in requests of the service's size, under the same pacer and retry policy as
 * the imports, and follows asynchronous ones to their end (bounded: a job that does not end within
 * `stallMs` counts its contacts as not removed). A failure stops further removals; contacts not
 * removed stay managed, so the next run tries them again.
 */
export async function sendRemovals(
	session: Session,
	mirror: MirrorSupport,
	serviceName: string,
	work: RemovalWork[],
	following: { intervalMs: number; stallMs: number },
): Promise<RemovalResult> {
	const result: RemovalResult = { removed: [], departedRemoved: 0, staleTagsRemoved: 0, failed: [], uncertain: [] };
	const jobs: RemovalJob[] = [];
	const done = (members: readonly TargetMember[], scope: RemovalScope, failures: Array<{ position: number; message: string }>) => {
		const failed = new Map(failures.map((failure) => [failure.position, failure.message]));
		members.forEach((member, position) => {
			const message = failed.get(position);
			if (message !== undefined) result.failed.push({ email: member.email, message });
			else if (scope.kind === 'departed') {
				result.removed.push(member.email);
				result.departedRemoved++;
			} else result.staleTagsRemoved++;
		});
	};
	const unknownOutcome = (members: readonly TargetMember[], message: string) => {
		for (const member of members) result.uncertain.push({ email: member.email, message });
	};

	const chunks: RemovalWork[] = [];
	for (const { members, scope } of work) {
		for (let start = 0; start < members.length; start += mirror.maxMembersPerRemoval) chunks.push({ members: members.slice(start, start + mirror.maxMembersPerRemoval), scope });
	}
	let next = 0;
	try {
		for (; next < chunks.length; next++) {
			const { members, scope } = chunks[next];
			const outcome = await session.send(mirror.buildRemovalRequest(members, scope), 'remove', (response) =>
				response.statusCode >= 200 && response.statusCode < 300 ? mirror.interpretRemovalResponse(response, members) : undefined,
			);
			if (outcome.kind === 'done') done(members, scope, outcome.failures);
			else jobs.push({ jobId: outcome.jobId, members, scope, submittedAt: Date.now() });
		}
		const startedAt = Date.now();
		while (jobs.length) {
			await waitFor(following.intervalMs, session.signal);
			if (!mirror.pollRemovalJob) throw new StopFailure(`${serviceName} answered a removal with a job, which this node cannot follow`);
			for (const job of [...jobs]) {
				const status: RemovalJobStatus = await mirror.pollRemovalJob(async (request, purpose) => await session.fetch(request, purpose), job.jobId, job.members);
				if (status.state === 'pending') {
					if (Date.now() - job.submittedAt > following.stallMs || Date.now() - startedAt > MAX_JOB_WAIT_MS) {
						jobs.splice(jobs.indexOf(job), 1);
						unknownOutcome(job.members, `${serviceName} removal job ${job.jobId} did not end in time; it may still take effect`);
					}
					continue;
				}
				jobs.splice(jobs.indexOf(job), 1);
				if (status.state === 'failed') unknownOutcome(job.members, `${serviceName} removal job ${job.jobId} failed: ${status.message}`);
				else done(job.members, job.scope, status.failures);
			}
		}
	} catch (error) {
		const failure = asExportFailure(error, serviceName);
		result.stop = failure;
		for (const job of jobs) unknownOutcome(job.members, `${serviceName} removal job ${job.jobId}: its end could not be read (${failure.message}); it may still take effect`);
		for (; next < chunks.length; next++) unknownOutcome(chunks[next].members, `Not removed: ${failure.message}`);
	}
	return result;
}
