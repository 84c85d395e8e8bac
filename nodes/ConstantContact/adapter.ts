import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type {
	BatchOutcome,
	ContactFailure,
	DestinationAdapter,
	DestinationResponse,
	JobStatus,
	RequestSender,
	SerializeContext,
} from '../shared/adapter';
import { ContactRejection } from '../shared/adapter';
import { checkListsExist, EnvelopeAdapter } from '../shared/adapterBase';
import { textValue } from '../shared/contact';
import type { CustomFieldMapping, StandardField } from '../shared/fields';
import { CustomFieldMatcher, readCustomFieldMappings, readFieldMap } from '../shared/fields';
import { readEmailField } from '../shared/descriptions';
import { StopFailure } from '../shared/engine/errors';
import { waitFor } from '../shared/engine/waiting';
import type { ListChoice } from '../shared/target';
import { listsPhrase, nameTarget, readListsCollection } from '../shared/target';
import { unreadableAnswer } from '../shared/transport';
import { ConstantContactMirror } from './mirror';
import { CONSTANT_CONTACT_FIELD_LIMITS, CONSTANT_CONTACT_MAX_CUSTOM_FIELDS } from './limits';
import type { ConstantContactCustomField } from './transport';
import { CONSTANT_CONTACT, constantContactBaseUrl, getCustomFields, getLists, nextPage, quotaMessage, SERVICE_NAME } from './transport';

/** Standard import fields and the member fields they come from by default. */
export const CONSTANT_CONTACT_FIELDS: StandardField[] = [
	{ key: 'first_name', displayName: 'First Name', defaultSource: 'firstName' },
	{ key: 'last_name', displayName: 'Last Name', defaultSource: 'lastName' },
	{ key: 'phone', displayName: 'Phone', defaultSource: 'phone' },
	{ key: 'street', displayName: 'Street', defaultSource: 'address' },
	{ key: 'city', displayName: 'City', defaultSource: 'city' },
	{ key: 'state', displayName: 'State', defaultSource: 'state' },
	{ key: 'zip', displayName: 'Zip', defaultSource: 'postalCode' },
	{ key: 'country', displayName: 'Country', defaultSource: 'country' },
];

export interface ConstantContactSettings {
	listIds: string[];
	emailField: string;
	fieldMap: Record<string, string>;
	customFields: CustomFieldMapping[];
	autoMapCustomFields: boolean;
}

interface Activity {
	activity_id?: string;
	state?: string;
	percent_done?: number;
	activity_errors?: Array<{ message?: string } | string>;
	status?: { cannot_add_to_list_count?: number; error_count?: number; correctable_count?: number; items_completed_count?: number };
	_links?: { results?: { href?: string } };
}

/** Errors an activity counts: non-correctable ones and correctable ones (invalid e-mail format, date formats, too little information). */
function errorsCounted(activity: Activity): number {
	return (activity.status?.error_count ?? 0) + (activity.status?.correctable_count ?? 0);
}

/** Polls of the unsubscribed-contacts export before giving up on it. */
const EXPORT_MAX_POLLS = 30;

/** Milliseconds between looks at a running activity: each look costs one of 4 requests per second. */
const POLL_INTERVAL_MS = 2000;

export class ConstantContactAdapter extends EnvelopeAdapter implements DestinationAdapter {
	readonly pollIntervalMs = POLL_INTERVAL_MS;

	// Polls share the 4 requests a second with imports: looking while submitting would slow imports.
	readonly pollDuringSubmission = false;

	readonly mirror: DestinationAdapter['mirror'];

	private customFields?: CustomFieldMatcher<ConstantContactCustomField>;

	/** Unsubscribed addresses of the account, read once per run when an activity reports some (null: could not be read). */
	private unsubscribed?: Set<string> | null;

	constructor(
		context: IExecuteFunctions,
		baseUrl: string,
		private readonly settings: ConstantContactSettings,
	) {
		super(CONSTANT_CONTACT, {
			context,
			baseUrl,
			target: settings.listIds.join(','),
			emailField: settings.emailField,
			importPath: '/activities/contacts_json_import',
			envelope: { body: { import_data: [], list_ids: settings.listIds }, arrayKey: 'import_data' },
		});
		this.mirror = new ConstantContactMirror(settings.listIds);
	}

	fatalMessage(response: DestinationResponse): string | undefined {
		return quotaMessage(response);
	}

	async prepare(send: RequestSender): Promise<void> {
		const node = this.context.getNode();
		const lists = await getLists(node, send);
		checkListsExist(node, SERVICE_NAME, this.settings.listIds, new Set(lists.map((list) => list.list_id)), 'Pick the lists from the list, or copy a list ID from the list\'s URL in Constant Contact.');
		const fields = await getCustomFields(node, send);
		this.customFields = new CustomFieldMatcher(
			this.context,
			fields,
			(field) => ({ id: field.name, names: [field.label, field.custom_field_id] }),
			this.settings.customFields,
			this.settings.autoMapCustomFields,
			new Set([this.emailField, ...Object.values(this.settings.fieldMap)]),
		);
	}

	serialize(record: IDataObject, email: string, context: SerializeContext): Record<string, string> {
		const maxEmail = CONSTANT_CONTACT_FIELD_LIMITS.email.maxLength!;
		if (email.length > maxEmail) {
			throw new ContactRejection('field_too_long', `The e-mail address has ${email.length} characters; Constant Contact's import takes at most ${maxEmail}`);
		}
		const wire: Record<string, string> = { email };
		for (const [key, source] of Object.entries(this.settings.fieldMap)) {
			const value = textValue(record, source);
			if (value !== undefined) wire[key] = context.fit(key, value, source);
		}
		let customCount = 0;
		this.customFields!.forEach(record, (field, value) => {
			const text = textValue({ value } as IDataObject, 'value');
			if (text === undefined) return;
			if (++customCount > CONSTANT_CONTACT_MAX_CUSTOM_FIELDS) {
				throw new ContactRejection('field_too_long', `More than ${CONSTANT_CONTACT_MAX_CUSTOM_FIELDS} custom fields; Constant Contact takes at most ${CONSTANT_CONTACT_MAX_CUSTOM_FIELDS} per contact`);
			}
			wire[`cf:${field.name}`] = context.fit('custom', text, field.label);
		});
		return wire;
	}

	/** 201 with an activity_id (import_contacts): any other success body is unreadable. The daily quota is caught before, by fatalMessage. */
	interpretBatchResponse(response: DestinationResponse): BatchOutcome | undefined {
		const body = isObject(response.body) ? (response.body as Activity) : undefined;
		if (response.statusCode >= 200 && response.statusCode < 300) {
			if (typeof body?.activity_id === 'string' && body.activity_id) return { kind: 'job', jobId: body.activity_id };
			throw unreadableAnswer(SERVICE_NAME, 'the import', response);
		}
		if (response.statusCode === 401 || response.statusCode === 403) {
			throw new StopFailure(`Constant Contact refused the credentials (${response.statusCode})`, 'Reconnect the credential in n8n (Credentials → this credential → Reconnect), then run again.', response.statusCode);
		}
		return undefined;
	}

	/**
	 * One look at the activity collection (the latest 500) gives every job's state; an activity's own
	 * record is read only when it reports errors or contacts it could not add to lists, or when the
	 * collection does not hold it. Polls share the 4 requests a second with imports. States
	 * (activity_status): initialized and processing run; completed ends; cancelled, failed and
	 * timed_out end without a usable result.
	 */
	async pollJobs(send: RequestSender, jobs: ReadonlyArray<{ jobId: string; emails: readonly string[] }>): Promise<Map<string, JobStatus>> {
		const statuses = new Map<string, JobStatus>();
		const listed = new Map<string, Activity>();
		const collection = await send({ method: 'GET', path: '/activities', qs: { limit: 500 } }, 'poll');
		if (collection.statusCode === 200) {
			const activities = isObject(collection.body) ? collection.body.activities : undefined;
			if (activities !== undefined && !Array.isArray(activities)) throw unreadableAnswer(SERVICE_NAME, 'the activity list', collection);
			for (const activity of (activities as unknown[] | undefined) ?? []) {
				if (isObject(activity) && typeof activity.activity_id === 'string') listed.set(activity.activity_id, activity as Activity);
			}
		}
		for (const job of jobs) {
			let activity = listed.get(job.jobId);
			if (activity && RUNNING_STATES.has(String(activity.state))) {
				statuses.set(job.jobId, { state: 'pending', progress: progressOf(activity) });
				continue;
			}
			const needsDetail =
				!activity || (activity.state === 'completed' && (activity.status === undefined || errorsCounted(activity) > 0 || (activity.status.cannot_add_to_list_count ?? 0) > 0));
			if (needsDetail) {
				const response = await send({ method: 'GET', path: `/activities/${encodeURIComponent(job.jobId)}` }, 'poll');
				if (response.statusCode !== 200) {
					statuses.set(job.jobId, { state: 'failed', message: `its status could not be read (HTTP ${response.statusCode})` });
					continue;
				}
				if (!isObject(response.body) || typeof response.body.state !== 'string') throw unreadableAnswer(SERVICE_NAME, `the status of activity ${job.jobId}`, response);
				activity = response.body as Activity;
			}
			const state = String(activity!.state);
			if (state === 'completed') {
				const failures = await this.failuresOf(send, activity!, job.emails);
				if (failures === undefined) {
					statuses.set(job.jobId, { state: 'failed', message: 'the contacts it could not add to lists (unsubscribed) could not be identified' });
					continue;
				}
				statuses.set(job.jobId, { state: 'done', created: null, updated: null, failures });
			} else if (FAILED_STATES.has(state)) {
				statuses.set(job.jobId, { state: 'failed', message: `the activity ended as ${state}` });
			} else {
				// initialized, processing, or a state no document names: still running as far as we know.
				statuses.set(job.jobId, { state: 'pending', progress: progressOf(activity!) });
			}
		}
		return statuses;
	}

	/**
	 * The contacts an activity refused or could not add to lists. Errors come as strings (v3 swagger,
	 * Activity.activity_errors) naming the contact by "Line N" (1-based, as the v2 reports did — the v3
	 * wording is not documented) or by address; both error_count and correctable_count are accounted.
	 * Undefined when unsubscribed contacts were reported but cannot be identified.
	 */
	private async failuresOf(send: RequestSender, activity: Activity, emails: readonly string[]): Promise<ContactFailure[] | undefined> {
		const failures: ContactFailure[] = [];
		const failed = new Set<number>();
		for (const error of activity.activity_errors ?? []) {
			const message = typeof error === 'string' ? error : (error.message ?? '');
			const line = /^Line (\d+)\b/i.exec(message);
			let position = line ? Number(line[1]) - 1 : emails.findIndex((email) => message.toLowerCase().includes(email));
			if (position < 0 || position >= emails.length || failed.has(position)) position = -1;
			if (position === -1) continue;
			failed.add(position);
			failures.push({ position, reason: 'rejected_by_destination', message: `Constant Contact: ${message}` });
		}
		const counted = errorsCounted(activity);
		if (failures.length < counted) {
			// Counted but not named (correctable errors need not be listed): said in the log, counts only.
			this.context.logger.warn(`Constant Contact activity ${activity.activity_id}: ${counted} contacts refused, ${failures.length} of them named in its errors`);
		}
		if ((activity.status?.cannot_add_to_list_count ?? 0) > 0) {
			const unsubscribed = await this.unsubscribedAddresses(send);
			if (unsubscribed === undefined) return undefined;
			emails.forEach((email, position) => {
				if (!failed.has(position) && unsubscribed.has(email)) {
					failures.push({ position, reason: 'unsubscribed', message: 'Constant Contact: the contact unsubscribed and cannot be added to lists' });
				}
			});
		}
		return failures;
	}

	/**
	 * The account's unsubscribed addresses, once per run, by one contact export (POST
	 * /activities/contact_exports with status "unsubscribed", then its activity until completed, then
	 * the CSV at `_links.results`): a handful of requests whatever the account's size, where paging
	 * GET /contacts would cost one request per 500 unsubscribed contacts of the 10,000 a day.
	 * Undefined when the export cannot be read.
	 */
	private async unsubscribedAddresses(send: RequestSender): Promise<Set<string> | undefined> {
		if (this.unsubscribed !== undefined) return this.unsubscribed ?? undefined;
		this.unsubscribed = null;
		const started = await send(
			{ method: 'POST', path: '/activities/contact_exports', body: JSON.stringify({ status: 'unsubscribed', fields: ['email_address'] }) },
			'poll',
		);
		let activity = isObject(started.body) ? (started.body as Activity) : undefined;
		if (started.statusCode >= 300 || typeof activity?.activity_id !== 'string') return undefined;
		for (let polls = 0; activity && activity.state !== 'completed'; polls++) {
			if (polls >= EXPORT_MAX_POLLS || (activity.state !== undefined && FAILED_STATES.has(activity.state))) return undefined;
			await waitFor(Math.min(5_000, (this.pollIntervalMs / 4) * (1 + polls)), this.context.getExecutionCancelSignal?.());
			const response = await send({ method: 'GET', path: `/activities/${encodeURIComponent(activity.activity_id!)}` }, 'poll');
			activity = response.statusCode === 200 && isObject(response.body) ? (response.body as Activity) : undefined;
		}
		const href = activity?._links?.results?.href;
		if (!href) return undefined;
		const file = await send(nextPage(href), 'poll');
		if (file.statusCode !== 200 || typeof file.body !== 'string') return undefined;
		const addresses = emailsOfCsv(file.body);
		if (addresses === undefined) return undefined;
		this.unsubscribed = addresses;
		return addresses;
	}
}

/** The e-mail column of a contact export (its header names are not documented: the first naming an e-mail). */
export function emailsOfCsv(csv: string): Set<string> | undefined {
	const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
	if (lines.length === 0) return undefined;
	const header = splitCsvLine(lines[0]).map((name) => name.trim().toLowerCase());
	const column = header.findIndex((name) => /e-?mail/.test(name));
	if (column < 0) return undefined;
	return new Set(lines.slice(1).map((line) => (splitCsvLine(line)[column] ?? '').trim().toLowerCase()).filter(Boolean));
}

function splitCsvLine(line: string): string[] {
	const cells: string[] = [];
	let cell = '';
	let quoted = false;
	for (let index = 0; index < line.length; index++) {
		const char = line[index];
		if (quoted) {
			if (char === '"' && line[index + 1] === '"') {
				cell += '"';
				index++;
			} else if (char === '"') quoted = false;
			else cell += char;
		} else if (char === '"') quoted = true;
		else if (char === ',') {
			cells.push(cell);
			cell = '';
		} else cell += char;
	}
	cells.push(cell);
	return cells;
}


const RUNNING_STATES = new Set(['initialized', 'processing']);
const FAILED_STATES = new Set(['cancelled', 'failed', 'timed_out']);

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How far an activity got: its percent done, or the contacts it completed. */
function progressOf(activity: Activity): number | undefined {
	const counted = activity.status?.items_completed_count;
	return typeof activity.percent_done === 'number' ? activity.percent_done : typeof counted === 'number' ? counted : undefined;
}


/** The lists, per node version: names of IDs in version 1, list pickers (with names) in version 2. */
function readListsV1(context: IExecuteFunctions): ListChoice[] {
	return (context.getNodeParameter('lists', 0, []) as string[]).map((id) => ({ id: String(id).trim() })).filter((list) => list.id !== '');
}

export async function createConstantContactAdapter(context: IExecuteFunctions): Promise<ConstantContactAdapter> {
	const node = context.getNode();
	const baseUrl = await constantContactBaseUrl(context);
	const lists = node.typeVersion >= 2 ? readListsCollection(context) : readListsV1(context);
	const listIds = lists.map((list) => list.id);
	if (listIds.length === 0) throw new NodeOperationError(node, 'Choose at least one list to export to');
	if (listIds.length > 50) throw new NodeOperationError(node, 'Constant Contact takes at most 50 lists per import');
	const emailField = readEmailField(context);
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const { targetName, phrase } = listsPhrase(SERVICE_NAME, lists);
	const adapter = new ConstantContactAdapter(context, baseUrl, {
		listIds,
		emailField,
		fieldMap: readFieldMap(context, CONSTANT_CONTACT_FIELDS),
		customFields: readCustomFieldMappings(context),
		autoMapCustomFields: options.autoMapCustomFields !== false,
	});
	return nameTarget(adapter, targetName, phrase);
}
