import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BatchOutcome, DestinationAdapter, DestinationResponse, RequestSender, SerializeContext } from '../shared/adapter';
import { EnvelopeAdapter, failuresByEmail } from '../shared/adapterBase';
import { textValue } from '../shared/contact';
import type { CustomFieldMapping } from '../shared/fields';
import { CustomFieldMatcher, readCustomFieldMappings } from '../shared/fields';
import { readEmailField } from '../shared/descriptions';
import { StopFailure } from '../shared/engine/errors';
import type { ListChoice } from '../shared/target';
import { listOfLocator, listsPhrase, nameTarget } from '../shared/target';
import { describeBody, unreadableAnswer } from '../shared/transport';
import type { CampaignMonitorCustomField } from './transport';
import { CAMPAIGN_MONITOR, campaignMonitorBaseUrl, getCustomFields, getList, SERVICE_NAME } from './transport';

/** Subscriber as the import endpoint takes it (subscribers reference, "Importing many subscribers"). */
interface WireSubscriber {
	EmailAddress: string;
	/** Left out when there is no name: an existing subscriber's name is "updated with whatever is passed in". */
	Name?: string;
	MobileNumber?: string;
	ConsentToSendSms?: ConsentToSendSms;
	CustomFields: Array<{ Key: string; Value: string }>;
	ConsentToTrack: 'yes' | 'no' | 'unchanged';
}

/** createsend-dotnet Models/ConsentToSendSms.cs: Unchanged, Yes, No (sent as strings). */
export type ConsentToSendSms = 'Unchanged' | 'Yes' | 'No';

/** E.164: "+", a country code not starting with 0, at most 15 digits in all (error 220 otherwise). */
const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * A phone number in E.164, or undefined when it cannot be one without guessing a country: spaces,
 * dashes, dots and brackets are dropped and a leading international "00" becomes "+"; a number
 * without either prefix is not guessed at.
 */
export function e164(raw: string): string | undefined {
	let text = raw.trim().replace(/[\s().\-\u00a0]/g, '');
	if (text.startsWith('00')) text = `+${text.slice(2)}`;
	return E164.test(text) ? text : undefined;
}

/** Failure codes that mean the person left the list in some way: only Resubscribe adds them back (subscribers reference, import). */
const NEEDS_RESUBSCRIBE: Record<number, string> = { 204: 'suppressed', 205: 'deleted', 206: 'unsubscribed', 207: 'bounced', 208: 'unconfirmed' };

/** Answer of a processed import, whole (201) or with failures (400, code 210, under ResultData). */
interface ImportResult {
	TotalUniqueEmailsSubmitted?: number;
	TotalExistingSubscribers?: number;
	TotalNewSubscribers?: number;
	FailureDetails?: Array<{ EmailAddress?: string; Code?: number; Message?: string }>;
}

export interface CampaignMonitorMapping {
	emailField: string;
	nameSource: 'firstLast' | 'field' | 'none';
	nameField: string;
	firstNameField: string;
	lastNameField: string;
	mobileNumberField: string;
	/** Explicit custom-field mappings: Campaign Monitor key (e.g. "[City]") ← input field. */
	customFields: CustomFieldMapping[];
	autoMapCustomFields: boolean;
	consentToTrack: 'yes' | 'no' | 'unchanged';
	/** Sent with a mobile number only. */
	consentToSendSms: ConsentToSendSms;
	resubscribe: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The documented import result: a count of unique e-mails submitted, and failure details when given as a list. */
function isImportResult(value: unknown): value is ImportResult {
	return isObject(value) && typeof value.TotalUniqueEmailsSubmitted === 'number' && (value.FailureDetails === undefined || Array.isArray(value.FailureDetails));
}

/** Why Sync Mode Mirror is refused (shown in the node's Sync Mode description and in the error). */
export const CAMPAIGN_MONITOR_MIRROR_REFUSAL =
	'Campaign Monitor\'s removal moves a subscriber to the list\'s Deleted state, and a later import refuses a deleted address unless it re-subscribes, which would also re-add people who unsubscribed. A contact who re-enters the segment could not be put back safely. Use Sync Mode "Changed Only".';

export class CampaignMonitorAdapter extends EnvelopeAdapter implements DestinationAdapter {
	// Sources: createsend-ruby/python subscriber.delete ("moves this subscriber to the Deleted state"); an
	// import without Resubscribe refuses a deleted address (result code 205), and Resubscribe also re-adds
	// people who unsubscribed or are suppressed (Campaign Monitor API: import subscribers).
	readonly mirror = { refused: CAMPAIGN_MONITOR_MIRROR_REFUSAL };

	private customFields?: CustomFieldMatcher<CampaignMonitorCustomField>;

	constructor(
		context: IExecuteFunctions,
		baseUrl: string,
		target: string,
		private readonly mapping: CampaignMonitorMapping,
	) {
		super(CAMPAIGN_MONITOR, {
			context,
			baseUrl,
			target,
			emailField: mapping.emailField,
			importPath: `/subscribers/${encodeURIComponent(target)}/import.json`,
			envelope: {
				body: { Subscribers: [], Resubscribe: mapping.resubscribe, QueueSubscriptionBasedAutoResponders: false, RestartSubscriptionBasedAutoresponders: false },
				arrayKey: 'Subscribers',
			},
		});
	}

	async prepare(send: RequestSender): Promise<void> {
		const node = this.context.getNode();
		await getList(node, send, this.target);
		const fields = await getCustomFields(node, send, this.target);
		const { mapping } = this;
		const standardSources = new Set([mapping.emailField, mapping.nameField, mapping.firstNameField, mapping.lastNameField, mapping.mobileNumberField]);
		this.customFields = new CustomFieldMatcher(
			this.context,
			fields,
			(field) => ({ id: field.Key, names: [field.FieldName] }),
			mapping.customFields,
			mapping.autoMapCustomFields,
			standardSources,
			'list',
		);
	}

	serialize(record: IDataObject, email: string, context: SerializeContext): WireSubscriber {
		const { mapping } = this;
		const wire: WireSubscriber = { EmailAddress: email, CustomFields: [], ConsentToTrack: mapping.consentToTrack };
		const name = this.nameOf(record);
		if (name !== undefined) wire.Name = name;
		const mobile = textValue(record, mapping.mobileNumberField);
		if (mobile !== undefined) {
			// Only valid E.164 numbers: anything else would fail the row (220) or the whole import.
			const number = e164(mobile);
			if (number === undefined) context.omit('MobileNumber');
			else {
				wire.MobileNumber = number;
				wire.ConsentToSendSms = mapping.consentToSendSms;
			}
		}
		this.customFields!.forEach(record, (field, value) => this.addCustomField(wire, field, value, context));
		return wire;
	}

	private nameOf(record: IDataObject): string | undefined {
		const { mapping } = this;
		if (mapping.nameSource === 'field') return textValue(record, mapping.nameField);
		if (mapping.nameSource === 'none') return undefined;
		const parts = [textValue(record, mapping.firstNameField), textValue(record, mapping.lastNameField)].filter(Boolean);
		return parts.length ? parts.join(' ') : undefined;
	}

	/** Multi-option fields take one entry per selected option; every other type takes one text value. */
	private addCustomField(wire: WireSubscriber, field: CampaignMonitorCustomField, value: unknown, context: SerializeContext): void {
		if (field.DataType === 'MultiSelectMany' && Array.isArray(value)) {
			for (const option of value) {
				const text = textValue({ option } as IDataObject, 'option');
				if (text !== undefined) wire.CustomFields.push({ Key: field.Key, Value: context.fit('customFieldValue', text, field.FieldName) });
			}
			return;
		}
		const text = textValue({ value } as IDataObject, 'value');
		if (text !== undefined) wire.CustomFields.push({ Key: field.Key, Value: context.fit('customFieldValue', text, field.FieldName) });
	}

	/**
	 * A processed import is any 2xx carrying the documented result (createsend SDK fixture
	 * import_subscribers.json), or a 400 with code 210 carrying it under ResultData
	 * (import_subscribers_partial_success.json). Any other body is unreadable: never success.
	 */
	interpretBatchResponse(response: DestinationResponse, emails: readonly string[]): BatchOutcome | undefined {
		const body = isObject(response.body) ? (response.body as ImportResult & { Code?: unknown; Message?: unknown; ResultData?: unknown }) : undefined;
		if (response.statusCode >= 200 && response.statusCode < 300) {
			if (!body || !isImportResult(body)) throw unreadableAnswer(SERVICE_NAME, 'the import', response);
			return this.processed(body, emails);
		}
		if (response.statusCode === 400 && body?.Code === 210) {
			if (!isImportResult(body.ResultData)) throw unreadableAnswer(SERVICE_NAME, 'the import', response);
			return this.processed(body.ResultData, emails);
		}
		if (response.statusCode === 401) {
			throw new StopFailure(`Campaign Monitor refused the API key (${typeof body?.Message === 'string' ? body.Message : `HTTP 401`})`, 'Check the API key in the credential.', 401);
		}
		if (response.statusCode === 400) {
			const said = typeof body?.Code === 'number' ? `code ${body.Code}: ${typeof body.Message === 'string' ? body.Message : 'no message'}` : describeBody(response.body);
			throw new StopFailure(`Campaign Monitor refused the import (${said})`, undefined, 400);
		}
		return undefined;
	}

	private processed(result: ImportResult, emails: readonly string[]): BatchOutcome {
		const failures = failuresByEmail(
			emails,
			(result.FailureDetails ?? []).map((detail) => {
				const left = typeof detail.Code === 'number' ? NEEDS_RESUBSCRIBE[detail.Code] : undefined;
				// Version 1 keeps the reason rejected_by_destination (saved workflows filter on it); the code says which case.
				const hint = left ? `; the person is ${left} on this list — only the Resubscribe option adds them back` : '';
				return { email: detail.EmailAddress, message: `Campaign Monitor: ${detail.Message ?? 'refused'} (code ${detail.Code ?? 'unknown'}${hint})` };
			}),
		);
		return {
			kind: 'done',
			created: result.TotalNewSubscribers ?? null,
			updated: result.TotalExistingSubscribers ?? null,
			failures,
		};
	}
}

/** The node's parameters, per node version (version 1 and 2 name and shape them alike; 2 names the list in the Summary). */
function readParameters(context: IExecuteFunctions): { list: ListChoice } {
	const list = listOfLocator(context.getNodeParameter('list', 0, ''));
	list.id = String(context.getNodeParameter('list', 0, '', { extractValue: true }) ?? '').trim();
	return { list };
}

export async function createCampaignMonitorAdapter(context: IExecuteFunctions): Promise<CampaignMonitorAdapter> {
	const node = context.getNode();
	const baseUrl = await campaignMonitorBaseUrl(context);
	const { list } = readParameters(context);
	const listId = list.id;
	if (!listId) throw new NodeOperationError(node, 'Choose a list to export to');
	const emailField = readEmailField(context);
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const customFields = readCustomFieldMappings(context);
	const mapping: CampaignMonitorMapping = {
		emailField,
		nameSource: context.getNodeParameter('nameSource', 0, 'firstLast') as CampaignMonitorMapping['nameSource'],
		nameField: String(context.getNodeParameter('nameField', 0, 'name')),
		firstNameField: String(context.getNodeParameter('firstNameField', 0, 'firstName')),
		lastNameField: String(context.getNodeParameter('lastNameField', 0, 'lastName')),
		mobileNumberField: String(context.getNodeParameter('mobileNumberField', 0, 'phone')),
		customFields,
		autoMapCustomFields: options.autoMapCustomFields !== false,
		consentToTrack: (options.consentToTrack as CampaignMonitorMapping['consentToTrack']) ?? 'unchanged',
		consentToSendSms: (options.consentToSendSms as ConsentToSendSms | undefined) ?? 'Unchanged',
		resubscribe: options.resubscribe === true,
	};
	const { targetName, phrase } = listsPhrase(SERVICE_NAME, [list]);
	return nameTarget(new CampaignMonitorAdapter(context, baseUrl, listId, mapping), targetName, phrase);
}
