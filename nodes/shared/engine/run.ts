import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AdapterFactory, DestinationAdapter, RequestSender, SerializeContext } from '../adapter';
import { ContactRejection } from '../adapter';
import { usesOAuth2 } from '../transport';
import type { ExportSummary, LongValuePolicy } from './accounting';
import { Ledger, sourceAccountingOf, summaryMessage } from './accounting';
import type { BatchLimits, ContactAdmission, ContactFilter, InputRecord, MemberFileReader } from './batching';
import { batchContacts, countRecords, recordsOfItems, utf8Length } from './batching';
import { asExportFailure, CancelledFailure, ExportFailure, RefusalFailure } from './errors';
import { ExportRun } from './exportRun';
import { followJobs } from './jobs';
import { isMemberFile, memberFileCount, MEMBER_FILE_PROPERTY } from './memberFiles';
import type { RateWindow } from './rateLimiter';
import { pacerFor, WindowPacer } from './rateLimiter';
import { CsvFile, DEFAULT_MAX_REJECTED_ITEMS, REJECTED_FILE_MIME_TYPE, REJECTED_FILE_PROPERTY, rejectedFileName } from './rejectedFile';
import { DEFAULT_JOB_STALL_MS } from './retryPolicy';
import type { RemovalWork } from './removals';
import { sendRemovals } from './removals';
import { Session } from './session';
import { submitBatches } from './submission';
import type { DiffContact, SyncSettings } from './sync';
import { keepsState, mirrorOf, planSync, readSyncSettings, stateChanges, SyncPlan, UPSERT_ALL } from './sync';
import { SyncKeys, SyncStateStore } from './syncState';

/** Dynamics 365 Customer Insights exports at most this many profiles; users can lower or raise it per node. */
export const DEFAULT_MAX_CONTACTS = 1_000_000;

export interface ExportSettings {
	maxContacts: number;
	batchSize: number;
	longValues: LongValuePolicy;
	/** Multiplies the published rate limits (an account granted higher limits, or a sped-up sandbox). */
	rateLimitFactor: number;
	/** How long the service's jobs may show no progress; the adapter's default when undefined. */
	jobStallMs?: number;
	/** Contacts not exported listed as Rejected items; the rest go to the Rejected file. Undefined: all as items. */
	maxRejectedItems?: number;
	/** Sync Modes (version 2); Upsert All keeps no state. */
	sync: SyncSettings;
}

/** Identifies the account for pacing without keeping any secret in memory in clear. */
function accountKey(adapter: DestinationAdapter, secret: string, factor: number): string {
	return createHash('sha256').update(`${adapter.credentialType}\n${adapter.baseUrl}\n${secret}\n${factor}`).digest('hex');
}

/** Identifies the account in the sync state: the same whatever the rate limit factor (a new key starts a new history). */
function stateAccountKey(adapter: DestinationAdapter, secret: string): string {
	return createHash('sha256').update(`${adapter.credentialType}\n${adapter.baseUrl}\n${secret}`).digest('hex');
}

/** The account's published limits as rate windows, sped up by the credential's rate limit factor. */
function limitsOf(adapter: DestinationAdapter, factor: number): RateWindow[] {
	const windows: RateWindow[] = [];
	const { requestsPerSecond, requestsPerMinute, importRequestsPerMinute, singleImportRequestsPerMinute, removalRequestsPerMinute } = adapter.limits;
	if (requestsPerSecond) windows.push({ limit: requestsPerSecond, windowMs: 1000 / factor });
	if (requestsPerMinute) windows.push({ limit: requestsPerMinute, windowMs: 60_000 / factor });
	if (importRequestsPerMinute) windows.push({ limit: importRequestsPerMinute, windowMs: 60_000 / factor, purpose: 'import' });
	if (removalRequestsPerMinute) windows.push({ limit: removalRequestsPerMinute, windowMs: 60_000 / factor, purpose: 'remove' });
	if (singleImportRequestsPerMinute) windows.push({ limit: singleImportRequestsPerMinute, windowMs: 60_000 / factor, purpose: 'import-single' });
	return windows;
}

/** The engine's Long Values policy, applied to the limits of the destination's one table (`limits.fieldLimits`). */
function serializeContextFor(adapter: DestinationAdapter, settings: ExportSettings, ledger: Ledger): SerializeContext {
	const limits = adapter.limits.fieldLimits;
	const tooLong = (label: string, size: string, limit: string) =>
		new ContactRejection('field_too_long', `Field "${label}" has ${size}; ${adapter.serviceName} keeps at most ${limit}`);
	return {
		fit(field: string, value: string, label = field): string {
			const maxLength = limits[field]?.maxLength;
			if (maxLength === undefined || value.length <= maxLength) return value;
			if (settings.longValues === 'truncate') {
				ledger.truncatedValues++;
				return value.slice(0, maxLength);
			}
			throw tooLong(label, `${value.length} characters`, `${maxLength}`);
		},
		fitItems<T>(field: string, values: T[], label = field): T[] {
			const maxItems = limits[field]?.maxItems;
			if (maxItems === undefined || values.length <= maxItems) return values;
			if (settings.longValues === 'truncate') {
				ledger.truncatedValues++;
				return values.slice(0, maxItems);
			}
			throw tooLong(label, `${values.length} entries`, `${maxItems} entries`);
		},
		omit(field: string): void {
			ledger.fieldsOmitted[field] = (ledger.fieldsOmitted[field] ?? 0) + 1;
		},
	};
}

/**
 * Runs one export in named steps: checks up front (nothing sent on failure), submission, job
 * following, then accounting. Every input contact ends as exported, rejected, skipped or not sent
 * (unconfirmed being a kind of not sent), and the node returns [Summary, Rejected]: once the first
 * import may have left, nothing — a failure, an unreadable answer, a cancel — ends the node
 * without that accounting.
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
	const logger = context.logger;

	const undeclared = items.findIndex((item) => isMemberFile(item) && memberFileCount(item.json) === undefined);
	if (undeclared !== -1) {
		throw new NodeOperationError(node, `Input item ${undeclared} is a member file part without its member count`, {
			description: 'Nothing was sent. Member files come from Segment Source\'s "Member File" output, with their items as it made them.',
		});
	}
	const received = countRecords(items, adapter.emailField);
	if (received > settings.maxContacts) {
		throw new NodeOperationError(
			node,
			`${received.toLocaleString('en-US')} contacts received, more than this node's limit of ${settings.maxContacts.toLocaleString('en-US')}`,
			{ description: 'Nothing was sent. Raise "Max Contacts per Run" in the options, or split the segment.' },
		);
	}

	const factor = settings.rateLimitFactor;
	const pacer = pacerFor(accountKey(adapter, accountSecret, factor), () => new WindowPacer(adapter.limits.maxConcurrentRequests, limitsOf(adapter, factor)));
	const session = new Session(context, adapter, pacer, usesOAuth2(adapter.credentialType), factor);

	// Step 1, checks: a failure here fails the node with nothing sent. With no contact at all there is
	// nothing to check: the node answers with a zero Summary (so Respond to Webhook always answers)
	// without asking the service anything — except in Mirror, where an empty segment means everyone left.
	const { sync } = settings;
	const send: RequestSender = async (request, purpose) => await session.fetch(request, purpose);
	try {
		if (sync.mode === 'mirror') mirrorOf(adapter);
		if (received > 0 || sync.mode === 'mirror') await adapter.prepare(send);
	} catch (error) {
		throw nothingSentError(node, adapter, error);
	}

	const run = new ExportRun(adapter, session, logger, settings.maxRejectedItems);
	const batchLimits = {
		maxCount: Math.min(settings.batchSize, adapter.limits.maxContactsPerRequest),
		maxBytes: adapter.limits.maxBytesPerRequest,
		envelopeBytes: utf8Length(adapter.buildBatchRequest('', 0).body ?? ''),
	};
	const records = () => recordsOfItems(items, adapter.emailField, memberFileReader(context));
	logger.info(`${adapter.serviceName} export: ${received} contacts received`);

	// Sync Modes: the diff against the state, the target's members read (Mirror) and the safety cap,
	// all before anything is written to the service.
	const store = new SyncStateStore(context.helpers, node);
	const plan = keepsState(sync) ? await diffWithState(context, settings, adapter, store, records, batchLimits, send, stateAccountKey(adapter, accountSecret)) : undefined;
	const removesStaleTags = sync.mode === 'mirror' && !('refused' in adapter.mirror) && adapter.mirror.removesStaleTags;
	if (plan && sync.dryRun) return await dryRun(context, run, plan, records, serializeContextFor(adapter, settings, run.ledger), batchLimits, received, startedAt, removesStaleTags);

	const currentPlan = plan;
	// Contacts the diff pass found unchanged are skipped before they are serialized again; the others
	// carry their state key, recorded once the service confirms them.
	const filter: ContactFilter | undefined = currentPlan
		? {
				skip: (ordinal) => currentPlan.isUnchanged(ordinal),
				admit: (email, wireForm, record) => {
					const key = currentPlan.keys.payload(email, wireForm);
					if (!currentPlan.fullResend && currentPlan.isUnchangedContact(key, currentPlan.keys.contact(email))) return 'unchanged';
					if (removesStaleTags) currentPlan.noteStaleTags(email, key, record);
					return key;
				},
			}
		: undefined;
	if (currentPlan) run.onExported = (batch, positions) => currentPlan.confirm(batch, positions);
	const batches = batchContacts(records(), adapter, serializeContextFor(adapter, settings, run.ledger), run.ledger, batchLimits, () => (run.stopped ? (run.stop?.message ?? 'the export stopped') : undefined), filter)[
		Symbol.asyncIterator
	]();

	// Steps 2 and 3, submission and job following: jobs are followed during submission where that
	// costs imports nothing, otherwise once it ends; after a stop, jobs already submitted are still
	// followed (unless cancelled) so that what was sent is reported as far as the service answers.
	let submitting = true;
	const following = {
		intervalMs: (adapter.pollIntervalMs ?? 1000) / factor,
		stallMs: settings.jobStallMs ?? adapter.jobStallMs ?? DEFAULT_JOB_STALL_MS,
		submitting: () => submitting,
	};
	const guard = async (step: () => Promise<void>) => {
		try {
			await step();
		} catch (error) {
			run.stopWith(asExportFailure(error, adapter.serviceName));
		}
	};
	const submission = guard(async () => await submitBatches(run, batches, Math.max(1, adapter.limits.maxConcurrentRequests))).finally(() => {
		submitting = false;
	});
	if (adapter.pollDuringSubmission) await Promise.all([submission, guard(async () => await followJobs(run, following))]);
	else {
		await submission;
		await guard(async () => await followJobs(run, following));
	}

	// Step 4, accounting: batches formed but not settled, then input never batched because the run stopped.
	run.closeUnsettled();
	await guard(async () => {
		for (let next = await batches.next(); !next.done; next = await batches.next()) run.notSent(next.value);
	});

	// Step 5 (Sync Modes): removals once the upserts are done, then the state: what this run confirmed.
	const report = plan ? await finishSync(run, plan, store, following) : undefined;
	return await outputs(context, run, received, startedAt, plan ? { plan, report } : undefined);
}

/** Sync Modes' part of the outputs: the plan, and what the real run did or the dry run would do. */
interface SyncOutcome {
	plan: SyncPlan;
	report?: SyncReport;
	dryRun?: { counts: DryRunCounts; file: CsvFile };
}

/** A dry run's figures: contacts of the segment by what the real run would do, and the removals. */
interface DryRunCounts extends IDataObject {
	new: number;
	changed: number;
	unchanged: number;
	/** Unchanged contacts the run would send anyway (Full Re-send Every N Runs is due). */
	resent: number;
	remove: number;
	removeTags: number;
	rejected: number;
}

/**
 * Dry Run: the real run's passes without a single write. Contacts are classified against the state
 * as the real run would send them, the removals listed, and everything put in a CSV file on the
 * Summary item (email, action, detail). The state is not changed: the probe put it back.
 */
async function dryRun(
	context: IExecuteFunctions,
	run: ExportRun,
	plan: SyncPlan,
	records: () => AsyncIterable<InputRecord>,
	serializeContext: SerializeContext,
	batchLimits: BatchLimits,
	received: number,
	startedAt: number,
	removesStaleTags: boolean,
): Promise<INodeExecutionData[][]> {
	const file = new CsvFile(PLAN_FILE_COLUMNS);
	const counts: DryRunCounts = { new: 0, changed: 0, unchanged: 0, resent: 0, remove: 0, removeTags: 0, rejected: 0 };
	const admit: ContactAdmission = (email, wireForm, record) => {
		const payloadKey = plan.keys.payload(email, wireForm);
		const action = plan.classify(email, payloadKey);
		counts[action]++;
		if (action !== 'unchanged' && removesStaleTags) plan.noteStaleTags(email, payloadKey, record);
		if (action === 'unchanged' && plan.fullResend) counts.resent++;
		file.addCells([email, action, action === 'unchanged' && plan.fullResend ? 'sent again: a full re-send is due' : '']);
		return action === 'unchanged' && !plan.fullResend ? 'unchanged' : 'planned';
	};
	for await (const _ of batchContacts(records(), run.adapter, serializeContext, run.ledger, batchLimits, undefined, { admit })) {
		// Every contact is only classified: no batch is formed.
	}
	if (plan.settings.mode === 'mirror') {
		for (const member of plan.departed) file.addCells([member.email, 'remove', 'left the segment']);
		for (const [tag, emails] of plan.staleTags) for (const email of emails) file.addCells([email, 'remove_tag', tag]);
		counts.remove = plan.departed.length;
		counts.removeTags = plan.staleTagCount;
	}
	counts.rejected = run.ledger.rejected;
	context.logger.info(`${run.adapter.serviceName} dry run: ${counts.new} new, ${counts.changed} changed, ${counts.unchanged} unchanged, ${counts.remove} to remove; nothing written`);
	return await outputs(context, run, received, startedAt, { plan, dryRun: { counts, file } });
}

/** Binary property of a dry run's Summary item holding its plan, and the plan file's columns. */
export const PLAN_FILE_PROPERTY = 'plan';
const PLAN_FILE_COLUMNS = ['email', 'action', 'detail'];

/** A failure before anything was written, as the node's error: refusals and the adapter's own checks as they are, request failures explained. */
function nothingSentError(node: INode, adapter: DestinationAdapter, error: unknown): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof RefusalFailure) return new NodeOperationError(node, error.message, { description: error.description });
	if (!(error instanceof ExportFailure)) return new NodeOperationError(node, error as Error, { description: (error as { description?: string }).description });
	return new NodeOperationError(node, `Could not reach ${adapter.serviceName}: ${error.message}`, { description: `${error.description ? `${error.description} ` : ''}Nothing was sent.` });
}

/**
 * Sync Modes' first pass: every contact serialized once for its state keys (nothing sent), the
 * target's members read (Mirror), one probe of the state, the safety cap. A refusal fails the node
 * with nothing written.
 */
async function diffWithState(
	context: IExecuteFunctions,
	settings: ExportSettings,
	adapter: DestinationAdapter,
	store: SyncStateStore,
	records: () => AsyncIterable<InputRecord>,
	batchLimits: BatchLimits,
	send: RequestSender,
	account: string,
): Promise<SyncPlan> {
	const plan = new SyncPlan(new SyncKeys(account, adapter.target), settings.sync);
	// Every segment Segment Source defines, members or not: a segment that emptied still names a tag to take off.
	for (const name of Object.keys(sourceAccountingOf(context.getInputData())?.perSegment ?? {})) if (name.trim()) plan.segmentTags.add(name.trim());
	const scratch = new Ledger(0, false);
	const forEachContact = async (visit: (contact: DiffContact) => void, visitAddress: (email: string) => void) => {
		const admit: ContactAdmission = (email, wireForm, record, ordinal) => {
			visit({ email, wireForm, record, ordinal });
			return 'planned';
		};
		const skip = (_: number, email: string) => {
			visitAddress(email);
			return false;
		};
		for await (const _ of batchContacts(records(), adapter, serializeContextFor(adapter, settings, scratch), scratch, batchLimits, undefined, { skip, admit })) {
			// Every contact is only visited: no batch is formed.
		}
	};
	try {
		await planSync(plan, forEachContact, store, adapter, send);
	} catch (error) {
		throw nothingSentError(context.getNode(), adapter, error);
	}
	const removals = plan.departed.length ? `, ${plan.departed.length} managed contacts left the segment` : '';
	const interrupted = plan.interrupted ? ' (the state was left by a run stopped part-way, or one running at the same moment: not trusted, everything is sent)' : '';
	context.logger.info(`${adapter.serviceName} export: sync state read: ${plan.counts.new} new, ${plan.counts.changed} changed, ${plan.counts.unchanged} unchanged${removals}${plan.fullResend ? ' (full re-send)' : ''}${interrupted}`);
	return plan;
}

/** What Sync Modes add to the Summary. */
interface SyncReport {
	removed: number;
	notRemoved: number;
	removalsUnconfirmed: number;
	staleTagsRemoved: number;
	entriesBefore: number;
	entriesAfter?: number;
	fullResend: boolean;
	stateError?: string;
}

/**
 * Mirror's removals (only after a run that did not stop: a partial segment must not look like
 * departures), then the state: entries the probe found, minus contacts removed, plus contacts
 * confirmed exported. A failure to store it is reported, not thrown: the accounting stands, and the
 * next run sends again what it cannot tell is unchanged.
 */
async function finishSync(run: ExportRun, plan: SyncPlan, store: SyncStateStore, following: { intervalMs: number; stallMs: number }): Promise<SyncReport> {
	const { adapter, session } = run;
	const report: SyncReport = { removed: 0, notRemoved: 0, removalsUnconfirmed: 0, staleTagsRemoved: 0, entriesBefore: plan.entriesBefore, fullResend: plan.fullResend };
	let removed: string[] = [];
	const work: RemovalWork[] = [];
	if (plan.departed.length) work.push({ members: plan.departed, scope: { kind: 'departed', segmentTags: [...plan.segmentTags] } });
	for (const [tag, emails] of plan.staleTags) work.push({ members: emails.map((email) => ({ email })), scope: { kind: 'staleTag', tag } });
	if (work.length && run.stopped) report.notRemoved = plan.departed.length;
	else if (work.length) {
		const result = await sendRemovals(session, mirrorOf(adapter), adapter.serviceName, work, following);
		// Departed contacts whose removal is unknown stop being managed too (see RemovalResult.uncertain).
		removed = [...result.removed, ...result.uncertain.map((entry) => entry.email)];
		report.removed = result.departedRemoved;
		report.staleTagsRemoved = result.staleTagsRemoved;
		report.notRemoved = result.failed.length;
		report.removalsUnconfirmed = result.uncertain.length;
		if (result.stop) run.stopWith(asExportFailure(result.stop, adapter.serviceName));
		run.progress();
	}
	const completed = !run.stopped && run.ledger.notSent === 0;
	try {
		report.entriesAfter = await store.update(plan.known, stateChanges(plan, removed, completed));
	} catch (error) {
		report.stateError = (error as Error).message;
	}
	return report;
}

/**
 * Streams a member file part from n8n's binary data store when it has a file id (filesystem, S3 or
 * database mode), else from the item's buffer (binary data kept in the item).
 */
function memberFileReader(context: IExecuteFunctions): MemberFileReader {
	return async (itemIndex) => {
		const binary = context.helpers.assertBinaryData(itemIndex, MEMBER_FILE_PROPERTY);
		if (binary.id) return (await context.helpers.getBinaryStream(binary.id)) as unknown as AsyncIterable<Uint8Array>;
		const buffer = await context.helpers.getBinaryDataBuffer(itemIndex, MEMBER_FILE_PROPERTY);
		return (async function* () {
			yield buffer;
		})();
	};
}

/** The Summary and Rejected outputs, or the node's error with the counts when the run stopped without Continue On Fail. */
async function outputs(context: IExecuteFunctions, run: ExportRun, received: number, startedAt: number, sync?: SyncOutcome): Promise<INodeExecutionData[][]> {
	const { ledger, adapter, session } = run;
	const targetName = adapter.targetName?.trim() || adapter.target;
	const summary: ExportSummary = {
		message: '',
		destination: adapter.destination,
		destinationName: adapter.serviceName,
		target: adapter.target,
		targetName,
		status: ledger.notSent > 0 || run.stopped ? 'partial' : 'success',
		received,
		exported: ledger.exported,
		created: ledger.created,
		updated: ledger.updated,
		rejected: ledger.rejected,
		skipped: ledger.skipped,
		notSent: ledger.notSent,
		unconfirmed: ledger.unconfirmed,
		batches: run.batchesFormed,
		requests: session.requests,
		retries: session.retries,
		durationMs: Date.now() - startedAt,
		jobIds: run.jobIds,
		truncatedValues: ledger.truncatedValues,
		fieldsOmitted: { ...ledger.fieldsOmitted },
		requestsByPurpose: { ...session.requestsByPurpose },
		rejectedByReason: { ...ledger.rejectedByReason },
		rejectedInFile: ledger.rejectedFile?.rows ?? 0,
		unchanged: ledger.unchanged,
		removed: sync?.report?.removed ?? 0,
	};
	if (sync) {
		summary.syncMode = sync.plan.settings.mode;
		if (sync.report) {
			const { report } = sync;
			summary.notRemoved = report.notRemoved;
			summary.removalsUnconfirmed = report.removalsUnconfirmed;
			summary.staleTagsRemoved = report.staleTagsRemoved;
			summary.syncState = {
				entriesBefore: report.entriesBefore,
				entriesAfter: report.entriesAfter ?? null,
				fullResend: report.fullResend,
				putBack: sync.plan.putBack,
				...(sync.plan.interrupted ? { interrupted: true } : {}),
				...(report.stateError ? { error: report.stateError } : {}),
			};
		}
		if (sync.dryRun) {
			summary.dryRun = true;
			summary.syncState = { entriesBefore: sync.plan.entriesBefore, putBack: sync.plan.putBack, ...(sync.plan.interrupted ? { interrupted: true } : {}) };
			summary.plan = sync.dryRun.counts;
			summary.planFile = { property: PLAN_FILE_PROPERTY, fileName: rejectedFileName(context.getNode().name, 'dry-run'), rows: sync.dryRun.file.rows };
		}
	}
	const fileName = rejectedFileName(context.getNode().name);
	if (ledger.rejectedFile) summary.rejectedFile = { property: REJECTED_FILE_PROPERTY, fileName, rows: ledger.rejectedFile.rows };
	const source = sourceAccountingOf(context.getInputData());
	if (source) summary.segmentSource = source;
	const counts = `exported ${summary.exported}, rejected ${summary.rejected}, skipped ${summary.skipped}, not sent ${summary.notSent} (unconfirmed ${summary.unconfirmed})`;
	const stop = run.stop;
	const inFile = summary.rejectedInFile ? `; ${summary.rejectedInFile} contacts not exported listed in the Rejected file` : '';
	context.logger.info(`${adapter.serviceName} export ${stop ? `stopped (${stop instanceof CancelledFailure ? 'cancelled' : 'failed'})` : 'finished'}: received ${received}, ${counts}, requests ${summary.requests}${inFile}`);
	if (stop) summary.error = stop.message;
	summary.message = summaryMessage(summary, adapter.targetPhrase ?? `${adapter.serviceName} ${targetName}`, adapter.serviceName);
	if (stop) {
		if (!context.continueOnFail()) {
			const unconfirmedNote = summary.unconfirmed ? ` ${summary.unconfirmed} unconfirmed contacts may be at ${adapter.serviceName}.` : '';
			throw new NodeOperationError(context.getNode(), `${adapter.serviceName} export stopped: ${stop.message}`, {
				description: `Received ${received}: ${counts}.${unconfirmedNote} ${stop.description ? `${stop.description} ` : ''}Re-running the export is safe: contacts are upserted.`,
			});
		}
	}
	const summaryItem: INodeExecutionData = { json: summary, pairedItem: { item: 0 } };
	// Files are stored through n8n's binary data helpers: on disk (or wherever n8n keeps binary data), out of the saved execution's data.
	if (ledger.rejectedFile) {
		summaryItem.binary = { [REJECTED_FILE_PROPERTY]: await context.helpers.prepareBinaryData(ledger.rejectedFile.content(), fileName, REJECTED_FILE_MIME_TYPE) };
		ledger.rejectedFile = undefined;
	}
	if (sync?.dryRun && summary.planFile) {
		summaryItem.binary = { ...summaryItem.binary, [PLAN_FILE_PROPERTY]: await context.helpers.prepareBinaryData(sync.dryRun.file.content(), summary.planFile.fileName, REJECTED_FILE_MIME_TYPE) };
	}
	return [[summaryItem], ledger.rejectedItems];
}

/** Operation Reset Sync State: empties this node's sync state (one DELETE) and sends nothing. */
async function resetSyncState(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const cleared = await new SyncStateStore(context.helpers, context.getNode()).reset();
	context.logger.info(`Sync state reset: ${cleared} entries cleared`);
	const message = `Sync state reset: ${cleared.toLocaleString('en-US')} entries cleared. The next export sends every contact and removes nothing.`;
	return [[{ json: { operation: 'resetSyncState', entriesCleared: cleared, message }, pairedItem: { item: 0 } }], []];
}

/**
 * The whole execute() of an exporter node: checks the privacy acknowledgement first, builds the
 * adapter from the node's parameters and credential, then runs the export.
 */
export async function executeExport(this: IExecuteFunctions, createAdapter: AdapterFactory): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	if (node.typeVersion >= 2 && this.getNodeParameter('operation', 0, 'export') === 'resetSyncState') return await resetSyncState(this);
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
		jobStallMs: typeof options.jobTimeoutMinutes === 'number' ? options.jobTimeoutMinutes * 60_000 : undefined,
		// Version 1 lists every contact not exported as an item, as documented; version 2 lists the first ones and files the rest.
		maxRejectedItems: node.typeVersion >= 2 ? (typeof options.maxRejectedItems === 'number' ? options.maxRejectedItems : DEFAULT_MAX_REJECTED_ITEMS) : undefined,
		sync: node.typeVersion >= 2 ? readSyncSettings(this, options) : UPSERT_ALL,
	};
	if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) {
		throw new NodeOperationError(node, 'Option "Batch Size" must be a whole number of at least 1');
	}
	if (settings.maxRejectedItems !== undefined && !(Number.isInteger(settings.maxRejectedItems) && settings.maxRejectedItems >= 0)) {
		throw new NodeOperationError(node, 'Option "Max Rejected Items" must be a whole number of at least 0');
	}
	if (settings.jobStallMs !== undefined && !(settings.jobStallMs > 0)) {
		throw new NodeOperationError(node, 'Option "Job Timeout (Minutes)" must be a positive number');
	}
	const adapter = await createAdapter(this);
	const credentials = await this.getCredentials(adapter.credentialType);
	const factor = Number(credentials.rateLimitFactor ?? 1);
	if (!Number.isFinite(factor) || factor <= 0) throw new NodeOperationError(node, 'The credential\'s rate limit factor must be a positive number');
	settings.rateLimitFactor = factor;
	const secret = String(credentials.apiKey ?? credentials.clientId ?? '');
	return await runExport(this, adapter, settings, secret);
}
