import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BatchOutcome, DestinationAdapter, DestinationResponse, JobStatus, RequestSender, SerializeContext } from '../shared/adapter';
import { EnvelopeAdapter, failuresByEmail } from '../shared/adapterBase';
import { textValue } from '../shared/contact';
import { countryCode } from '../shared/countries';
import type { StandardField } from '../shared/fields';
import { parseTagList, readFieldMap, tagsFor } from '../shared/fields';
import { readEmailField } from '../shared/descriptions';
import { RetryableFailure, StopFailure } from '../shared/engine/errors';
import { MAX_PAGES } from '../shared/engine/retryPolicy';
import { describeBody, responseError, unexpectedDiscovery, unreadableAnswer } from '../shared/transport';
import { OmnisendMirror } from './mirror';
import { OMNISEND, omnisendBaseUrl, SERVICE_NAME } from './transport';

/** Contact properties and the member fields they come from by default. */
export const OMNISEND_FIELDS: StandardField[] = [
	{ key: 'firstName', displayName: 'First Name', defaultSource: 'firstName' },
	{ key: 'lastName', displayName: 'Last Name', defaultSource: 'lastName' },
	{ key: 'address', displayName: 'Address', defaultSource: 'address' },
	{ key: 'city', displayName: 'City', defaultSource: 'city' },
	{ key: 'state', displayName: 'State', defaultSource: 'state' },
	{ key: 'postalCode', displayName: 'Postal Code', defaultSource: 'postalCode' },
	{ key: 'country', displayName: 'Country', defaultSource: 'country' },
];

/** 'none': no channel status is sent (Omnisend's own default for new contacts, existing ones unchanged). */
export type EmailStatus = 'none' | 'subscribed' | 'nonSubscribed';

export interface OmnisendSettings {
	emailField: string;
	fieldMap: Record<string, string>;
	status: EmailStatus;
	/**
	 * The user's explicit confirmation that the status may be set on contacts Omnisend already has:
	 * Omnisend documents no way to set it for new contacts only, so a status is sent only with it.
	 */
	updateExistingStatus: boolean;
	/** sendWelcomeMessage per identifier: false unless the user turns it on (Omnisend's default is true). */
	sendWelcomeMessage: boolean;
	tagWithSegments: boolean;
	tags: string[];
	customProperties: Array<{ name: string; sourceField: string }>;
}

interface Batch {
	batchID?: string;
	status?: string;
	errorsCount?: number;
	totalCount?: number;
	errors?: BatchItem[];
	responses?: BatchItem[];
}

interface BatchItem {
	request?: { identifiers?: Array<{ id?: string }> };
	response?: { detail?: string; title?: string; errors?: Array<{ field?: string; message?: string }> };
	responseCode?: number;
}

/** Statuses of batches that ended (post_batches: pending, inProgress, finished, stopped). */
const ENDED_STATUSES = ['finished', 'stopped'];

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Batches listed per request when looking for finished ones (the API's maximum). */
const LIST_PAGE_SIZE = 250;
const POLL_INTERVAL_MS = 3000;

export class OmnisendAdapter extends EnvelopeAdapter implements DestinationAdapter {
	readonly pollIntervalMs = POLL_INTERVAL_MS;

	// A batch stops after too many errors; the contacts it never reached are sent again.
	readonly jobsMayStopPartWay = true;

	readonly mirror: DestinationAdapter['mirror'];

	/** The identifier's channels, or undefined when no status is sent. */
	private readonly channels?: IDataObject;

	/** Day the export started, to list only its batches. */
	private readonly since: string;

	constructor(
		context: IExecuteFunctions,
		baseUrl: string,
		private readonly settings: OmnisendSettings,
	) {
		const tags = [...(settings.tagWithSegments ? ['segment names'] : []), ...settings.tags];
		super(OMNISEND, {
			context,
			baseUrl,
			target: tags.length ? `contacts tagged ${tags.join(', ')}` : 'contacts',
			emailField: settings.emailField,
			importPath: '/batches',
			envelope: { body: { method: 'POST', endpoint: 'contacts', items: [] }, arrayKey: 'items' },
		});
		// Omnisend has no lists: contacts leave the audience by losing its tags, so an export without tags has nothing to mirror.
		this.mirror =
			settings.tags.length || settings.tagWithSegments
				? new OmnisendMirror(settings.tags, settings.tagWithSegments)
				: { refused: 'Omnisend has no lists: Mirror takes contacts out of the export\'s audience by removing its tags, and this export sets none. Add Tags, or turn on Tag with Segment Names.' };
		const now = new Date();
		// statusChangedAt is the field ContactChannelRequest defines for this API version (contacts
		// OpenAPI 2026-03-15); the getting-started example still shows statusDate.
		if (settings.status !== 'none') this.channels = { email: { status: settings.status, statusChangedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } };
		this.since = now.toISOString().slice(0, 10);
	}

	/** Omnisend has no list to check: the key is checked instead, so a bad key fails before anything is sent. */
	async prepare(send: RequestSender): Promise<void> {
		const response = await send({ method: 'GET', path: '/brands/current' }, 'discovery');
		if (response.statusCode !== 200) throw responseError(this.context.getNode(), SERVICE_NAME, 'the brand look-up', response);
		if (!isObject(response.body)) throw unexpectedDiscovery(this.context.getNode(), SERVICE_NAME, 'the brand look-up', response);
	}

	serialize(record: IDataObject, email: string, context: SerializeContext): IDataObject {
		const identifier: IDataObject = { type: 'email', id: email, sendWelcomeMessage: this.settings.sendWelcomeMessage };
		if (this.channels) identifier.channels = this.channels;
		const wire: IDataObject = { identifiers: [identifier] };
		for (const [key, source] of Object.entries(this.settings.fieldMap)) {
			const value = textValue(record, source);
			if (value !== undefined) wire[key] = value;
		}
		const code = countryCode(wire.country as string | undefined);
		if (code) wire.countryCode = code;
		const tags = tagsFor(record, this.settings.tagWithSegments, this.settings.tags);
		if (tags) wire.tags = context.fitItems('tags', tags, 'tags');
		if (this.settings.customProperties.length) {
			const properties: IDataObject = {};
			for (const { name, sourceField } of this.settings.customProperties) {
				const value = record[sourceField];
				if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') properties[name] = value;
				else if (Array.isArray(value)) properties[name] = value.map(String);
			}
			if (Object.keys(properties).length) wire.customProperties = properties;
		}
		return wire;
	}

	/** 201 with a batchID (post_batches); any other success body is unreadable. A 429's body says how long to wait (retryAfter). */
	interpretBatchResponse(response: DestinationResponse): BatchOutcome | undefined {
		const body = isObject(response.body) ? response.body : undefined;
		if (response.statusCode >= 200 && response.statusCode < 300) {
			if (typeof body?.batchID === 'string' && body.batchID) return { kind: 'job', jobId: body.batchID };
			throw unreadableAnswer(SERVICE_NAME, 'the batch', response);
		}
		const said = typeof body?.detail === 'string' ? body.detail : typeof body?.title === 'string' ? body.title : describeBody(response.body);
		if (response.statusCode === 429 && typeof body?.retryAfter === 'number') {
			throw new RetryableFailure(`Omnisend asked to slow down (${said})`, { throttled: true, waitMs: body.retryAfter * 1000 });
		}
		if (response.statusCode === 401 || response.statusCode === 403) {
			throw new StopFailure(`Omnisend refused the API key (${response.statusCode}: ${said})`, 'Check the API key in the credential and its permissions.', response.statusCode);
		}
		if (response.statusCode === 400 || response.statusCode === 413) {
			throw new StopFailure(`Omnisend refused the batch (${response.statusCode}: ${said})`, undefined, response.statusCode);
		}
		return undefined;
	}

	/**
	 * Lists this run's finished and stopped batches, 250 a request, instead of asking about each batch:
	 * the 400 requests a minute are better spent on imports. Item results are read only for batches
	 * that report errors or were stopped. A batch never listed stays pending until the engine's job
	 * timeout ends it as unconfirmed.
	 */
	async pollJobs(send: RequestSender, jobs: ReadonlyArray<{ jobId: string; emails: readonly string[] }>): Promise<Map<string, JobStatus>> {
		const statuses = new Map<string, JobStatus>();
		const wanted = new Map(jobs.map((job) => [job.jobId, job]));
		for (const status of ENDED_STATUSES) {
			for (let page = 0; wanted.size; page++) {
				if (page >= MAX_PAGES) throw new StopFailure(`Omnisend kept sending pages of ${status} batches (more than ${MAX_PAGES})`);
				const response = await send(
					{ method: 'GET', path: '/batches', qs: { endpoint: 'contacts', status, dateFrom: this.since, limit: LIST_PAGE_SIZE, offset: page * LIST_PAGE_SIZE } },
					'poll',
				);
				if (response.statusCode !== 200) return statuses;
				const listed = isObject(response.body) ? response.body.batches : undefined;
				if (!Array.isArray(listed)) throw unreadableAnswer(SERVICE_NAME, 'the batch list', response);
				for (const batch of listed as Batch[]) {
					const job = isObject(batch) && typeof batch.batchID === 'string' ? wanted.get(batch.batchID) : undefined;
					// A batch in a status we did not ask for (or an unknown one) is not ended.
					if (!job || !ENDED_STATUSES.includes(String(batch.status))) continue;
					wanted.delete(job.jobId);
					statuses.set(job.jobId, await this.ended(send, batch, job.emails));
				}
				if (listed.length < LIST_PAGE_SIZE) break;
			}
		}
		return statuses;
	}

	private async ended(send: RequestSender, batch: Batch, emails: readonly string[]): Promise<JobStatus> {
		const stopped = batch.status === 'stopped';
		if (!stopped && !batch.errorsCount) return { state: 'done', created: null, updated: null, failures: [] };
		const response = await send({ method: 'GET', path: `/batches/${encodeURIComponent(batch.batchID!)}/items` }, 'poll');
		if (response.statusCode !== 200) return { state: 'failed', message: `its item results could not be read (HTTP ${response.statusCode})` };
		const body = response.body;
		if (!isObject(body) || (body.errors !== undefined && !Array.isArray(body.errors)) || (body.responses !== undefined && !Array.isArray(body.responses))) {
			throw unreadableAnswer(SERVICE_NAME, `the item results of batch ${batch.batchID}`, response);
		}
		const items = body as Batch;
		const emailOf = (item: BatchItem) => item.request?.identifiers?.[0]?.id;
		const failures = failuresByEmail(
			emails,
			(items.errors ?? []).map((item) => {
				const fields = item.response?.errors?.filter((error) => error.field || error.message) ?? [];
				const detail = fields.length
					? `refused ${fields.map((error) => `"${error.field ?? '?'}" (${error.message ?? 'invalid'})`).join(', ')}`
					: item.response?.detail || item.response?.title || `refused the contact (HTTP ${item.responseCode ?? 'unknown'})`;
				return { email: emailOf(item), message: `Omnisend: ${detail}` };
			}),
		);
		if (!stopped) return { state: 'done', created: null, updated: null, failures };
		// A stopped batch processed only part of its items: the others were never handled.
		const handled = new Set<number>(failures.map((failure) => failure.position));
		for (const { position } of failuresByEmail(emails, (items.responses ?? []).map((item) => ({ email: emailOf(item), message: '' })))) handled.add(position);
		const unprocessed = emails.map((_, position) => position).filter((position) => !handled.has(position));
		return {
			state: 'done',
			created: null,
			updated: null,
			failures,
			unprocessed: { positions: unprocessed, message: `Omnisend stopped batch ${batch.batchID} after ${batch.errorsCount} errors` },
		};
	}
}

/** The audience (tags), per node version: entries of Options in version 1, visible parameters in version 2. */
function readTagging(context: IExecuteFunctions, options: IDataObject): { tagWithSegments: boolean; tags: unknown } {
	if (context.getNode().typeVersion >= 2) {
		return { tagWithSegments: context.getNodeParameter('tagWithSegments', 0, true) !== false, tags: context.getNodeParameter('tags', 0, '') };
	}
	return { tagWithSegments: options.tagWithSegments !== false, tags: options.tags };
}

export async function createOmnisendAdapter(context: IExecuteFunctions): Promise<OmnisendAdapter> {
	const node = context.getNode();
	const baseUrl = await omnisendBaseUrl(context);
	const emailField = readEmailField(context);
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const tagging = readTagging(context, options);
	const customProperties = (context.getNodeParameter('customProperties.property', 0, []) as Array<{ name?: string; sourceField?: string }>).map((entry, index) => {
		const name = String(entry.name ?? '').trim();
		const sourceField = String(entry.sourceField ?? '').trim();
		if (!/^[A-Za-z0-9_]+$/.test(name)) throw new NodeOperationError(node, `Custom property ${index + 1}: "${name}" is not a valid name (letters, digits and _ only)`);
		if (!sourceField) throw new NodeOperationError(node, `Custom property "${name}" is mapped from an empty field name`);
		return { name, sourceField };
	});
	const status = context.getNodeParameter('emailStatus', 0, 'none') as EmailStatus;
	const updateExistingStatus = options.updateExistingStatus === true;
	if (status !== 'none' && !updateExistingStatus) {
		throw new NodeOperationError(node, `Email Status "${status === 'subscribed' ? 'Subscribed' : 'Non-Subscribed'}" would also change contacts Omnisend already has`, {
			description:
				'Omnisend documents no way to set a status for new contacts only, nor that an older status date is ignored. Choose "Leave to Omnisend", or turn on "Update Status of Existing Contacts" if every contact in this export agreed to this status. Nothing was sent.',
		});
	}
	return new OmnisendAdapter(context, baseUrl, {
		emailField,
		fieldMap: readFieldMap(context, OMNISEND_FIELDS),
		status,
		updateExistingStatus,
		sendWelcomeMessage: options.sendWelcomeMessage === true,
		tagWithSegments: tagging.tagWithSegments,
		tags: parseTagList(tagging.tags),
		customProperties,
	});
}
