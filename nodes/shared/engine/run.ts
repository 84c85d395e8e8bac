import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { AdapterFactory, BatchOutcome, ContactFailure, DestinationAdapter, JobStatus } from '../adapter';
import { ContactRejection } from '../adapter';
import { checkEmail } from '../contact';
import { responseError, usesOAuth2 } from '../transport';
import type { ExportSummary, LongValuePolicy } from './accounting';
import { Ledger } from './accounting';
import type { Batch, PreparedContacts } from './batching';
import { planBatches } from './batching';
import type { RateWindow } from './rateLimiter';
import { limiterFor, RateLimiter } from './rateLimiter';
import type { Decision } from './session';
import { isRetryableStatus } from './retryPolicy';
import { Session } from './session';

/** The limit of the platform we replace; users can lower or raise it per node. */
export const DEFAULT_MAX_CONTACTS = 1_000_000;
/** Give up on asynchronous jobs that have not finished after this long. */
const MAX_JOB_WAIT_MS = 6 * 60 * 60_000;
/** Progress is logged at most this often (counts only, never contact data). */
const PROGRESS_LOG_INTERVAL_MS = 10_000;

export interface ExportSettings {
	maxContacts: number;
	batchSize: number;
	longValues: LongValuePolicy;
	/** Multiplies the published rate limits (an account granted higher limits, or a sped-up sandbox). */
	rateLimitFactor: number;
}

/** Records of one input item: a member item, or a batch item holding `members` (Segment Source's batch mode). */
function recordsOf(item: INodeExecutionData): IDataObject[] {
	const members = item.json.members;
	return Array.isArray(members) ? (members as IDataObject[]) : [item.json];
}

function countRecords(items: INodeExecutionData[]): number {
	let count = 0;
	for (const item of items) count += recordsOf(item).length;
	return count;
}

/** Identifies the account for rate limiting without keeping any secret in memory in clear. */
function accountKey(adapter: DestinationAdapter, secret: string, factor: number): string {
	return createHash('sha256').update(`${adapter.credentialType}\n${adapter.baseUrl}\n${secret}\n${factor}`).digest('hex');
}

/** The account's published limits as rate windows, sped up by the credential's rate limit factor. */
function limitsOf(adapter: DestinationAdapter, factor: number): RateWindow[] {
	const windows: RateWindow[] = [];
	const { requestsPerSecond, requestsPerMinute, importRequestsPerMinute } = adapter.limits;
	if (requestsPerSecond) windows.push({ limit: requestsPerSecond, windowMs: 1000 / factor });
	if (requestsPerMinute) windows.push({ limit: requestsPerMinute, windowMs: 60_000 / factor });
	if (importRequestsPerMinute) windows.push({ limit: importRequestsPerMinute, windowMs: 60_000 / factor, purpose: 'import' });
	return windows;
}

/**
 * Runs one export: every input contact ends as exported, rejected, skipped or not sent, and the
 * node returns [Summary, Rejected]. Nothing is sent before every check that can fail up front passed.
 */
export async function runExport(
	context: IExecuteFunctions,
	adapter: DestinationAdapter,
	settings: ExportSettings,
	accountSecret: string,
): Promise<INodeExecutionData[][]> {
	const startedAt = Date.now();
	const node = context.getNode();
	const items = context.getInputData();
	const ledger = new Ledger();

	const received = countRecords(items);
	if (received > settings.maxContacts) {
		throw new NodeOperationError(
			node,
			`${received.toLocaleString('en-US')} contacts received, more than this node's limit of ${settings.maxContacts.toLocaleString('en-US')}`,
			{ description: 'Nothing was sent. Raise "Max Contacts per Run" in the options, or split the segment.' },
		);
	}

	const oauth2 = usesOAuth2(adapter.credentialType);
	const factor = settings.rateLimitFactor;
	const limiter = limiterFor(accountKey(adapter, accountSecret, factor), () => new RateLimiter(adapter.limits.maxConcurrentRequests, limitsOf(adapter, factor)));
	const session = new Session(context, adapter, limiter, oauth2);

	await adapter.prepare(async (request, purpose) => {
		const response = await session.fetch(request, purpose);
		if (session.failure !== undefined) {
			throw new NodeOperationError(node, `Could not reach ${adapter.serviceName}: ${session.failure}`, { description: 'Nothing was sent.' });
		}
		return response;
	});

	const envelopeBytes = Buffer.byteLength(adapter.buildBatchRequest('', 0).body ?? '');
	const contacts = prepareContacts(node, items, adapter, settings, ledger, envelopeBytes);
	const batchSize = Math.min(settings.batchSize, adapter.limits.maxContactsPerRequest);
	const batches = planBatches(contacts, batchSize, adapter.limits.maxBytesPerRequest, envelopeBytes);
	const jobIds: string[] = [];
	let stopMessage: string | undefined;

	const logger = context.logger;
	logger.info(`${adapter.serviceName} export: ${received} contacts received, ${contacts.json.length} to send in ${batches.length} batches`);
	let lastLog = Date.now();
	let batchesDone = 0;
	const progress = () => {
		batchesDone++;
		if (Date.now() - lastLog >= PROGRESS_LOG_INTERVAL_MS || batchesDone === batches.length) {
			lastLog = Date.now();
			logger.info(`${adapter.serviceName} export: ${batchesDone}/${batches.length} batches sent, ${ledger.exported} contacts exported so far`);
		}
	};

	const settled = new Uint8Array(batches.length);
	/** Contacts of a batch still waiting for an outcome, where some were already rejected (undefined: the whole batch). */
	const open: Array<number[] | undefined> = new Array(batches.length);
	const indicesOf = (batch: Batch) => open[batch.index] ?? Array.from({ length: batch.end - batch.start }, (_, k) => batch.start + k);
	const pendingJobs = new Map<string, Batch>();
	/** Why a batch that left was not confirmed (its job failed or was stopped). */
	const unconfirmed = new Map<number, string>();

	const reject = (batch: Batch, indices: number[], failures: ContactFailure[]) => {
		const failed = new Set<number>();
		for (const failure of failures) {
			const index = indices[failure.position];
			if (index === undefined || failed.has(index)) continue;
			failed.add(index);
			ledger.drop(contacts.emails[index], failure.reason, failure.message, contacts.itemIndex[index]);
		}
		const rest = indices.filter((index) => !failed.has(index));
		open[batch.index] = rest;
		return rest;
	};
	const settle = (batch: Batch, created: number | null, updated: number | null, failures: ContactFailure[]) => {
		const rest = reject(batch, indicesOf(batch), failures);
		settled[batch.index] = 1;
		ledger.accept(rest.length, created, updated);
	};

	// Submission: a few workers take batches in order; the limiter decides how fast they may go.
	let nextBatch = 0;
	const worker = async () => {
		while (stopMessage === undefined && nextBatch < batches.length) {
			const batch = batches[nextBatch++];
			for (;;) {
				const indices = indicesOf(batch);
				if (indices.length === 0) {
					settle(batch, 0, 0, []);
					break;
				}
				const emails = indices.map((index) => contacts.emails[index]);
				const request = adapter.buildBatchRequest(indices.map((index) => contacts.json[index]).join(','), indices.length);
				const result = await session.send(request, 'import', (response): Decision<Exclude<BatchOutcome, { kind: 'retry' }>> => {
					const decided = adapter.interpretBatchResponse(response, emails) ?? genericOutcome(adapter, context, response);
					return decided.kind === 'retry' ? { retry: true, message: decided.message, waitMs: decided.waitMs } : { retry: false, value: decided };
				});
				if (!result.ok) {
					stopMessage ??= result.message;
					return;
				}
				const outcome = result.value;
				if (outcome.kind === 'fatal') {
					stopMessage ??= outcome.message;
					return;
				}
				if (outcome.kind === 'resend_without') {
					const before = indices.length;
					if (reject(batch, indices, outcome.failures).length === before) {
						stopMessage ??= `${adapter.serviceName} refused a batch without naming the contacts at fault`;
						return;
					}
					continue;
				}
				if (outcome.kind === 'job') {
					jobIds.push(outcome.jobId);
					pendingJobs.set(outcome.jobId, batch);
				} else {
					settle(batch, outcome.created, outcome.updated, outcome.failures);
				}
				break;
			}
			progress();
		}
	};
	// Asynchronous services: jobs are followed during submission where that costs imports nothing,
	// otherwise once it ends. Jobs already submitted are followed even after a stop, so that what
	// was sent is reported as far as the service still answers.
	let submitting = true;
	const ended = (batch: Batch, status: Exclude<JobStatus, { state: 'pending' }>) => {
		if (status.state === 'failed') {
			unconfirmed.set(batch.index, status.message);
			stopMessage ??= status.message;
			return;
		}
		if (!status.unprocessed?.positions.length) {
			settle(batch, status.created, status.updated, status.failures);
			return;
		}
		// A stopped job: what it processed is settled, the rest ends as not sent.
		const indices = indicesOf(batch);
		const unprocessed = new Set(status.unprocessed.positions.map((position) => indices[position]));
		const rest = reject(batch, indices, status.failures);
		ledger.accept(rest.filter((index) => !unprocessed.has(index)).length, status.created, status.updated);
		open[batch.index] = rest.filter((index) => unprocessed.has(index));
		unconfirmed.set(batch.index, status.unprocessed.message);
		stopMessage ??= status.unprocessed.message;
	};
	const follow = async () => {
		if (!adapter.pollJobs) return;
		const problem = await waitForJobs(adapter, session, contacts, pendingJobs, indicesOf, settings.rateLimitFactor, () => submitting, ended);
		if (problem !== undefined) stopMessage ??= problem;
	};
	const submission = Promise.all(Array.from({ length: Math.max(1, Math.min(adapter.limits.maxConcurrentRequests, batches.length)) }, worker)).finally(() => {
		submitting = false;
	});
	if (adapter.pollDuringSubmission) await Promise.all([submission, follow()]);
	else {
		await submission;
		await follow();
	}

	// Whatever was not confirmed ends as not sent, with the reason the export stopped.
	for (const [jobId, batch] of pendingJobs) {
		unconfirmed.set(batch.index, `sent as ${adapter.serviceName} job ${jobId}, but its result could not be read (${stopMessage ?? 'stopped'})`);
	}
	for (const batch of batches) {
		if (settled[batch.index] === 1) continue;
		const why = `Not exported: ${unconfirmed.get(batch.index) ?? stopMessage ?? 'the export stopped'}`;
		for (const index of indicesOf(batch)) ledger.drop(contacts.emails[index], 'not_sent', why, contacts.itemIndex[index]);
	}

	const summary: ExportSummary = {
		destination: adapter.destination,
		target: adapter.target,
		status: ledger.notSent > 0 ? 'partial' : 'success',
		received,
		exported: ledger.exported,
		created: ledger.created,
		updated: ledger.updated,
		rejected: ledger.rejected,
		skipped: ledger.skipped,
		notSent: ledger.notSent,
		batches: batches.length,
		requests: session.requests,
		retries: session.retries,
		durationMs: Date.now() - startedAt,
		jobIds,
		truncatedValues: ledger.truncatedValues,
		requestsByPurpose: { ...session.requestsByPurpose },
	};
	logger.info(
		`${adapter.serviceName} export finished: ${summary.exported} exported, ${summary.rejected} rejected, ${summary.skipped} skipped, ${summary.notSent} not sent, ${summary.requests} requests`,
	);

	if (stopMessage !== undefined) {
		summary.error = stopMessage;
		if (!context.continueOnFail()) {
			throw new NodeOperationError(node, `${adapter.serviceName} export stopped: ${stopMessage}`, {
				description: `Received ${summary.received}: exported ${summary.exported}, rejected ${summary.rejected}, skipped ${summary.skipped}, not sent ${summary.notSent}. Re-running the export is safe: contacts are upserted.`,
			});
		}
	}
	return [[{ json: summary, pairedItem: { item: 0 } }], ledger.rejectedItems];
}

/** Statuses an adapter left to the engine: throttling and outages are retried, anything else stops the export. */
function genericOutcome(adapter: DestinationAdapter, context: IExecuteFunctions, response: Parameters<typeof responseError>[3]): BatchOutcome {
	if (isRetryableStatus(response.statusCode)) return { kind: 'retry', message: `HTTP ${response.statusCode}` };
	return { kind: 'fatal', message: responseError(context.getNode(), adapter.serviceName, 'an import', response).message, statusCode: response.statusCode };
}

/** Reads items into contacts: invalid and duplicate e-mails and unserializable contacts are set aside with a reason. */
function prepareContacts(
	node: INode,
	items: INodeExecutionData[],
	adapter: DestinationAdapter,
	settings: ExportSettings,
	ledger: Ledger,
	envelopeBytes: number,
): PreparedContacts {
	const contacts: PreparedContacts = { emails: [], json: [], bytes: [], itemIndex: [] };
	const seen = new Set<string>();
	const serializeContext = {
		fitLength(value: string, maxLength: number, field: string): string {
			if (value.length <= maxLength) return value;
			if (settings.longValues === 'truncate') {
				ledger.truncatedValues++;
				return value.slice(0, maxLength);
			}
			throw new ContactRejection(
				'field_too_long',
				`Field "${field}" has ${value.length} characters; ${adapter.serviceName} keeps at most ${maxLength}`,
			);
		},
	};
	const roomForOne = adapter.limits.maxBytesPerRequest - envelopeBytes - 1;

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const records = recordsOf(items[itemIndex]);
		for (let memberIndex = 0; memberIndex < records.length; memberIndex++) {
			const record = records[memberIndex];
			const where = records.length > 1 || items[itemIndex].json.members ? `item ${itemIndex}, member ${memberIndex}` : `item ${itemIndex}`;
			if (!record || typeof record !== 'object') {
				ledger.drop(null, 'missing_email', `Input ${where} is not an object`, itemIndex);
				continue;
			}
			const check = checkEmail(record[adapter.emailField], adapter.emailField);
			if (!check.ok) {
				const raw = record[adapter.emailField];
				ledger.drop(typeof raw === 'string' ? raw : null, check.reason, `Input ${where}: ${check.message}`, itemIndex);
				continue;
			}
			const email = check.email;
			if (seen.has(email)) {
				ledger.drop(email, 'duplicate', `Input ${where}: the same e-mail address came earlier in this run`, itemIndex);
				continue;
			}
			seen.add(email);
			let json: string;
			try {
				json = JSON.stringify(adapter.serialize(record, email, serializeContext));
			} catch (error) {
				if (error instanceof ContactRejection) {
					ledger.drop(email, error.reason, `Input ${where}: ${error.message}`, itemIndex);
					continue;
				}
				throw new NodeOperationError(node, error as Error, { itemIndex });
			}
			const bytes = Buffer.byteLength(json);
			if (bytes >= roomForOne) {
				ledger.drop(email, 'field_too_long', `Input ${where}: the contact alone is larger than one ${adapter.serviceName} request allows`, itemIndex);
				continue;
			}
			contacts.emails.push(email);
			contacts.json.push(json);
			contacts.bytes.push(bytes);
			contacts.itemIndex.push(itemIndex);
		}
	}
	return contacts;
}

/** Polls until submission is over and every job ended; returns why it stopped early, if it did. */
async function waitForJobs(
	adapter: DestinationAdapter,
	session: Session,
	contacts: PreparedContacts,
	pendingJobs: Map<string, Batch>,
	indicesOf: (batch: Batch) => number[],
	rateLimitFactor: number,
	submitting: () => boolean,
	ended: (batch: Batch, status: Exclude<JobStatus, { state: 'pending' }>) => void,
): Promise<string | undefined> {
	const startedAt = Date.now();
	// Polls spend the same request budget as imports: where the budget is larger, look more often.
	const interval = (adapter.pollIntervalMs ?? 1000) / rateLimitFactor;
	while (submitting() || pendingJobs.size) {
		if (Date.now() - startedAt > MAX_JOB_WAIT_MS) return `${adapter.serviceName} jobs did not finish within ${MAX_JOB_WAIT_MS / 3_600_000} hours`;
		if (session.cancelled) return 'the execution was cancelled';
		await sleep(interval);
		if (pendingJobs.size === 0) continue;
		const jobs = [...pendingJobs].map(([jobId, batch]) => ({ jobId, emails: indicesOf(batch).map((index) => contacts.emails[index]) }));
		const statuses: Map<string, JobStatus> = await adapter.pollJobs!(async (request, purpose) => await session.fetch(request, purpose), jobs);
		if (session.failure !== undefined) return session.failure;
		for (const [jobId, status] of statuses) {
			const batch = pendingJobs.get(jobId);
			if (!batch || status.state === 'pending') continue;
			pendingJobs.delete(jobId);
			ended(batch, status.state === 'failed' ? { state: 'failed', message: `${adapter.serviceName} job ${jobId} failed: ${status.message}` } : status);
		}
	}
	return undefined;
}

/**
 * The whole execute() of an exporter node: checks the privacy acknowledgement first, builds the
 * adapter from the node's parameters and credential, then runs the export.
 */
export async function executeExport(this: IExecuteFunctions, createAdapter: AdapterFactory): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	if (this.getNodeParameter('privacyAcknowledged', 0, false) !== true) {
		throw new NodeOperationError(node, 'Confirm that this personal data may be sent before running the export', {
			description: 'Turn on the node\'s data privacy acknowledgement. Nothing was sent.',
		});
	}
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const settings: ExportSettings = {
		maxContacts: typeof options.maxContacts === 'number' ? options.maxContacts : DEFAULT_MAX_CONTACTS,
		batchSize: typeof options.batchSize === 'number' ? options.batchSize : Number.MAX_SAFE_INTEGER,
		longValues: options.longValues === 'truncate' ? 'truncate' : 'reject',
		rateLimitFactor: 1,
	};
	if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) {
		throw new NodeOperationError(node, 'Option "Batch Size" must be a whole number of at least 1');
	}
	const adapter = await createAdapter(this);
	const credentials = await this.getCredentials(adapter.credentialType);
	const factor = Number(credentials.rateLimitFactor ?? 1);
	if (!Number.isFinite(factor) || factor <= 0) throw new NodeOperationError(node, 'The credential\'s rate limit factor must be a positive number');
	settings.rateLimitFactor = factor;
	const secret = String(credentials.apiKey ?? credentials.clientId ?? '');
	return await runExport(this, adapter, settings, secret);
}
