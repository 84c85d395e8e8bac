import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BatchOutcome, ContactFailure, DestinationAdapter, DestinationResponse, JobStatus, RequestSender } from '../shared/adapter';
import { checkListsExist, EnvelopeAdapter, failuresByEmail } from '../shared/adapterBase';
import { textValue } from '../shared/contact';
import type { CustomFieldMapping, StandardField } from '../shared/fields';
import { CustomFieldMatcher, parseTagList, readCustomFieldMappings, readFieldMap, tagsFor } from '../shared/fields';
import { readEmailField } from '../shared/descriptions';
import { RetryableFailure, StopFailure } from '../shared/engine/errors';
import type { ListChoice } from '../shared/target';
import { listsPhrase, nameTarget, readListsCollection } from '../shared/target';
import { describeBody, unreadableAnswer } from '../shared/transport';
import type { ActiveCampaignField } from './transport';
import { ACTIVE_CAMPAIGN, activeCampaignBaseUrl, getFields, getLists, SERVICE_NAME } from './transport';

/** Native contact fields; address parts have none in ActiveCampaign and go to custom fields by name. */
export const ACTIVE_CAMPAIGN_FIELDS: StandardField[] = [
	{ key: 'first_name', displayName: 'First Name', defaultSource: 'firstName' },
	{ key: 'last_name', displayName: 'Last Name', defaultSource: 'lastName' },
	{ key: 'phone', displayName: 'Phone', defaultSource: 'phone' },
];

/** Field types that hold several values, sent as "||a||b||" (the guide names multiselect and checkbox; listbox kept for older accounts). */
const MULTI_VALUE_TYPES = new Set(['checkbox', 'listbox', 'multiselect']);

export interface ActiveCampaignSettings {
	listIds: number[];
	emailField: string;
	fieldMap: Record<string, string>;
	customFields: CustomFieldMapping[];
	autoMapCustomFields: boolean;
	tagWithSegments: boolean;
	tags: string[];
	excludeAutomations: boolean;
}

interface WireContact {
	email: string;
	first_name?: string;
	last_name?: string;
	phone?: string;
	tags?: string[];
	fields?: Array<{ id: number; value: string }>;
	subscribe: Array<{ listid: number }>;
	/** Also per contact: the page says "in the payload", its example puts it in each contact (unconfirmed which one counts). */
	exclude_automations: boolean;
}

/** Milliseconds between looks at queued imports. */
const POLL_INTERVAL_MS = 2000;

/** Why Sync Mode Mirror is refused (shown in the node's Sync Mode description and in the error). */
export const ACTIVE_CAMPAIGN_MIRROR_REFUSAL =
	'ActiveCampaign documents no way to take a contact off a list without unsubscribing it: a list status of 2 records an unsubscribe that a later import does not undo, and its bulk delete removes contacts from the account. Use Sync Mode "Changed Only".';

export class ActiveCampaignAdapter extends EnvelopeAdapter implements DestinationAdapter {
	readonly pollIntervalMs = POLL_INTERVAL_MS;

	// Polls are held only to 5 requests per second, which 100 imports a minute leave mostly idle.
	readonly pollDuringSubmission = true;

	// Sources: developers.activecampaign.com/reference/update-list-status-for-contact (status 2 = unsubscribed)
	// and /reference/bulk-delete-contacts (a contact removed from its last list is deleted from the account).
	readonly mirror = { refused: ACTIVE_CAMPAIGN_MIRROR_REFUSAL };

	private customFields?: CustomFieldMatcher<ActiveCampaignField>;

	private readonly subscribe: Array<{ listid: number }>;

	constructor(
		context: IExecuteFunctions,
		baseUrl: string,
		private readonly settings: ActiveCampaignSettings,
	) {
		super(ACTIVE_CAMPAIGN, {
			context,
			baseUrl,
			target: settings.listIds.join(','),
			emailField: settings.emailField,
			importPath: '/import/bulk_import',
			envelope: { body: { contacts: [], exclude_automations: settings.excludeAutomations }, arrayKey: 'contacts' },
		});
		this.subscribe = settings.listIds.map((listid) => ({ listid }));
	}

	async prepare(send: RequestSender): Promise<void> {
		const node = this.context.getNode();
		const lists = await getLists(node, send);
		checkListsExist(node, SERVICE_NAME, this.settings.listIds, new Set(lists.map((list) => String(Number(list.id)))), 'Pick the lists from the list.');
		const fields = await getFields(node, send);
		this.customFields = new CustomFieldMatcher(
			this.context,
			fields,
			(field) => ({ id: field.id, names: [field.title, ...(field.perstag ? [field.perstag] : [])] }),
			this.settings.customFields,
			this.settings.autoMapCustomFields,
			new Set([this.emailField, ...Object.values(this.settings.fieldMap)]),
		);
	}

	serialize(record: IDataObject, email: string): WireContact {
		const wire: WireContact = { email, subscribe: this.subscribe, exclude_automations: this.settings.excludeAutomations };
		for (const [key, source] of Object.entries(this.settings.fieldMap)) {
			const value = textValue(record, source);
			if (value !== undefined) wire[key as 'first_name' | 'last_name' | 'phone'] = value;
		}
		const tags = tagsFor(record, this.settings.tagWithSegments, this.settings.tags);
		if (tags) wire.tags = tags;
		const fields: Array<{ id: number; value: string }> = [];
		this.customFields!.forEach(record, (field, value) => {
			const text = Array.isArray(value) && MULTI_VALUE_TYPES.has(field.type ?? '')
				? `||${value.map(String).join('||')}||`
				: textValue({ value } as IDataObject, 'value');
			if (text !== undefined) fields.push({ id: Number(field.id), value: text });
		});
		if (fields.length) wire.fields = fields;
		return wire;
	}

	/**
	 * Any 2xx carrying a batchId is queued, whatever the casing or count of its success key (the
	 * vendor's OpenAPI example shows "Success": 1, others "success": n). A 400 names refused contacts
	 * as objects: by e-mail where given (then they are dropped and the rest re-sent), otherwise by a
	 * `contact` index whose base (0 or 1) is not documented — the engine then isolates the contact at
	 * fault, both readings being suspects. Plain-string reasons (the documented "Rate limit
	 * exceeded." 400) mean wait and retry.
	 */
	interpretBatchResponse(response: DestinationResponse, emails: readonly string[]): BatchOutcome | undefined {
		const body = isObject(response.body) ? response.body : undefined;
		if (response.statusCode >= 200 && response.statusCode < 300) {
			const batchId = body?.batchId;
			if ((typeof batchId === 'string' && batchId) || typeof batchId === 'number') return { kind: 'job', jobId: String(batchId) };
			throw unreadableAnswer(SERVICE_NAME, 'the bulk import', response);
		}
		const reasons = Array.isArray(body?.failureReasons) ? (body.failureReasons as unknown[]) : [];
		const message = typeof body?.message === 'string' ? body.message : '';
		if (response.statusCode === 400 && reasons.length) {
			const objects = reasons.filter(isObject);
			if (objects.length === 0 || (objects.length < reasons.length && /rate limit/i.test(message))) {
				const said = reasons.find((reason) => typeof reason === 'string') ?? message;
				throw new RetryableFailure(`ActiveCampaign asked to try later (${typeof said === 'string' && said ? said : 'HTTP 400'})`, { throttled: true });
			}
			const wording = (reason: Record<string, unknown>) => `ActiveCampaign: ${typeof reason.failureReason === 'string' ? reason.failureReason : 'refused'}`;
			const byEmail = failuresByEmail(emails, objects.filter((reason) => typeof reason.email === 'string').map((reason) => ({ email: reason.email, message: wording(reason) })));
			if (byEmail.length) return { kind: 'resend_without', failures: byEmail };
			const indexed = objects.filter((reason) => typeof reason.contact === 'number' || (typeof reason.contact === 'string' && /^\d+$/.test(reason.contact)));
			const suspects = indexed.flatMap((reason) => [Number(reason.contact), Number(reason.contact) - 1]);
			return { kind: 'refused', suspects, message: indexed.length ? wording(indexed[0]) : wording(objects[0]) };
		}
		if (response.statusCode === 400 && /rate limit/i.test(message)) {
			throw new RetryableFailure(`ActiveCampaign asked to try later (${message})`, { throttled: true });
		}
		if (response.statusCode === 401 || response.statusCode === 403) {
			throw new StopFailure(`ActiveCampaign refused the API key (${response.statusCode})`, 'Check the API key and the account URL in the credential (Settings → Developer in ActiveCampaign).', response.statusCode);
		}
		if (response.statusCode === 400 || response.statusCode === 413) {
			throw new StopFailure(`ActiveCampaign refused the import (${response.statusCode}: ${message || describeBody(response.body)})`, undefined, response.statusCode);
		}
		return undefined;
	}

	/**
	 * Imports are processed in order: ask about the oldest first and stop at the first still queued.
	 * Statuses (bulk-import-status-info): false (not set yet), waiting, claimed and active are still
	 * running; completed ends with `failure` (e-mails) — `success` holds contact ids and is not used;
	 * failed and interrupted are final: such a job ends at once.
	 */
	async pollJobs(send: RequestSender, jobs: ReadonlyArray<{ jobId: string; emails: readonly string[] }>): Promise<Map<string, JobStatus>> {
		const statuses = new Map<string, JobStatus>();
		for (const job of jobs) {
			const response = await send({ method: 'GET', path: '/import/info', qs: { batchId: job.jobId } }, 'poll');
			if (response.statusCode !== 200) {
				statuses.set(job.jobId, { state: 'failed', message: `its status could not be read (HTTP ${response.statusCode})` });
				continue;
			}
			const info = response.body;
			if (!isObject(info) || !('status' in info)) throw unreadableAnswer(SERVICE_NAME, `the status of import ${job.jobId}`, response);
			if (info.status === 'failed' || info.status === 'interrupted') {
				statuses.set(job.jobId, { state: 'failed', message: `ActiveCampaign reports the import as ${info.status}` });
				continue;
			}
			if (info.status !== 'completed') break;
			if (info.failure !== undefined && !Array.isArray(info.failure)) throw unreadableAnswer(SERVICE_NAME, `the result of import ${job.jobId}`, response);
			statuses.set(job.jobId, { state: 'done', created: null, updated: null, failures: failuresOf((info.failure as unknown[] | undefined) ?? [], job.emails) });
		}
		return statuses;
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** import/info lists failures as addresses (documented), or objects with the address and a reason. */
function failuresOf(entries: unknown[], emails: readonly string[]): ContactFailure[] {
	return failuresByEmail(
		emails,
		entries.map((entry) => {
			const fields = isObject(entry) ? entry : {};
			const said = fields.reason ?? fields.failureReason;
			return {
				email: typeof entry === 'string' ? entry : fields.email,
				message: `ActiveCampaign: ${typeof said === 'string' ? said : 'the import did not take this contact (listed under failure)'}`,
			};
		}),
	);
}

/** What each node version says about lists and about what happens to people (version 2 shows the latter as parameters). */
interface ListAndTagging {
	lists: ListChoice[];
	tagWithSegments: boolean;
	tags: unknown;
	excludeAutomations: boolean;
}

function readParametersV1(context: IExecuteFunctions, options: IDataObject): ListAndTagging {
	const rawLists = context.getNodeParameter('lists', 0, []) as Array<string | number>;
	return {
		lists: rawLists.map((id) => ({ id: String(id) })),
		tagWithSegments: options.tagWithSegments !== false,
		tags: options.tags,
		excludeAutomations: options.excludeAutomations !== false,
	};
}

function readParametersV2(context: IExecuteFunctions): ListAndTagging {
	return {
		lists: readListsCollection(context),
		tagWithSegments: context.getNodeParameter('tagWithSegments', 0, true) !== false,
		tags: context.getNodeParameter('tags', 0, ''),
		excludeAutomations: context.getNodeParameter('excludeAutomations', 0, true) !== false,
	};
}

export async function createActiveCampaignAdapter(context: IExecuteFunctions): Promise<ActiveCampaignAdapter> {
	const node = context.getNode();
	const baseUrl = await activeCampaignBaseUrl(context);
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const chosen = node.typeVersion >= 2 ? readParametersV2(context) : readParametersV1(context, options);
	const listIds = chosen.lists.map((list) => Number(list.id));
	if (listIds.length === 0) throw new NodeOperationError(node, 'Choose at least one list to subscribe the contacts to');
	const invalid = chosen.lists.find((list) => !Number.isInteger(Number(list.id)) || Number(list.id) <= 0);
	if (invalid !== undefined) throw new NodeOperationError(node, `List ID "${invalid.id}" is not a number: ActiveCampaign list IDs are numbers`);
	const emailField = readEmailField(context);
	const { targetName, phrase } = listsPhrase(SERVICE_NAME, chosen.lists);
	const adapter = new ActiveCampaignAdapter(context, baseUrl, {
		listIds,
		emailField,
		fieldMap: readFieldMap(context, ACTIVE_CAMPAIGN_FIELDS),
		customFields: readCustomFieldMappings(context),
		autoMapCustomFields: options.autoMapCustomFields !== false,
		tagWithSegments: chosen.tagWithSegments,
		tags: parseTagList(chosen.tags),
		excludeAutomations: chosen.excludeAutomations,
	});
	return nameTarget(adapter, targetName, phrase);
}
