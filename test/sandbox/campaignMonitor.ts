import { z } from 'zod';

import type { SandboxRequest, SandboxResponse, ServiceModule } from './core';
import { basicAuth, FixedWindowLimiter, parseJson } from './core';

/**
 * Campaign Monitor (createsend API v3.3) as the sandbox models it; contract notes in
 * docs/destinations/campaignmonitor.md. Sources:
 * [SUB] https://www.campaignmonitor.com/api/v3-3/subscribers/
 * [SDK] github.com/campaignmonitor/createsend-python test/fixtures/import_subscribers*.json (same in
 *       createsend-ruby and createsend-php), createsend-dotnet Subscriber.cs and Models/ConsentToSendSms.cs
 * - [SUB] 1000 subscribers per import.
 * - [SDK] a processed import answers 201 with {FailureDetails, TotalUniqueEmailsSubmitted,
 *   TotalExistingSubscribers, TotalNewSubscribers, DuplicateEmailsInSubmission}, or 400 code 210 with
 *   that result under ResultData when some rows failed. The per-row codes 204–208 (suppressed,
 *   deleted, unsubscribed, bounced, unconfirmed: "Subscriber is not added") and 220 (MobileNumber
 *   "not a valid E.164 phone number") are known from a transcription of the vendor's error list only
 *   (unconfirmed); whether 220 fails the row or the whole request is not documented: forms.mobileError.
 * - [SUB] "name … and any custom field values are updated with whatever is passed in": an empty Name
 *   blanks the stored one; a missing field leaves it ("Existing custom field data is not cleared if
 *   new custom field values are not provided").
 * - [SDK] MobileNumber and ConsentToSendSms (Unchanged / Yes / No) in import rows (createsend-dotnet).
 * - Rate limit: no number is published for subscriber endpoints; X-RateLimit-* headers are documented
 *   for the transactional API only. MODELLED: 60 requests per 60-second fixed window per API key; the
 *   headers are sent only with forms.rateLimitHeaders, and a 429 then carries the body seen for
 *   subscriber imports ("Subscriber was added too many times too quickly…", createsend-ruby PR #67).
 * - Processing: an import answers after CM_IMPORT_MS_PER_SUBSCRIBER per subscriber (modelled).
 * - [SUB] "each custom field value has a data limit of 250 characters": what happens past 250 is not
 *   documented; the sandbox cuts and counts (silentlyTruncated) so tests prove the node never relies on it.
 * - No byte limit is published; the sandbox refuses bodies over 10 MB with 413.
 */
export const CM_MAX_SUBSCRIBERS_PER_IMPORT = 1000;
export const CM_RATE_LIMIT = 60;
export const CM_RATE_WINDOW_MS = 60_000;
export const CM_IMPORT_MS_PER_SUBSCRIBER = 0.25;
export const CM_MAX_BODY_BYTES = 10_000_000;
export const CM_MAX_CUSTOM_FIELD_LENGTH = 250;

export const CM_TEST_API_KEY = 'sandbox-cm-api-key-0001';

export interface CmCustomField {
	FieldName: string;
	Key: string;
	DataType: 'Text' | 'Number' | 'Date' | 'MultiSelectOne' | 'MultiSelectMany';
	FieldOptions: string[];
	VisibleInPreferenceCenter: boolean;
}

export interface CmSubscriber {
	EmailAddress: string;
	Name: string;
	MobileNumber?: string;
	ConsentToSendSms?: string;
	CustomFields: Record<string, string | string[]>;
	State: 'Active' | 'Unsubscribed' | 'Bounced' | 'Deleted' | 'Unconfirmed' | 'Suppressed';
	ConsentToTrack: string;
	Date: string;
}

interface CmList {
	ListID: string;
	Title: string;
	clientId: string;
	customFields: CmCustomField[];
	subscribers: Map<string, CmSubscriber>;
}

function textField(name: string): CmCustomField {
	return { FieldName: name, Key: `[${name.replace(/\s+/g, '')}]`, DataType: 'Text', FieldOptions: [], VisibleInPreferenceCenter: true };
}

const subscriberSchema = z
	.object({
		EmailAddress: z.string(),
		Name: z.string().optional(),
		MobileNumber: z.string().optional(),
		ConsentToSendSms: z.enum(['Unchanged', 'Yes', 'No']).optional(),
		CustomFields: z.array(z.object({ Key: z.string(), Value: z.string(), Clear: z.boolean().optional() }).strict()).optional(),
		ConsentToTrack: z.enum(['yes', 'no', 'unchanged', 'Yes', 'No', 'Unchanged']),
	})
	.strict();

const importSchema = z
	.object({
		Subscribers: z.array(subscriberSchema).min(1),
		Resubscribe: z.boolean(),
		QueueSubscriptionBasedAutoResponders: z.boolean().optional(),
		RestartSubscriptionBasedAutoresponders: z.boolean().optional(),
	})
	.strict();

/**
 * The service's own address check (MODELLED: Campaign Monitor does not publish its rule; the SDK
 * fixture shows code 1 "Invalid Email Address" per row), deliberately a little different from the
 * node's: some addresses the node passes fail here.
 */
function acceptsEmail(email: string): boolean {
	return /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(email) && !/\.invalid$/i.test(email) && !email.includes('..');
}

/** Answer forms the documents leave open: one switch per form. */
export interface CmForms {
	/** Whether answers carry X-RateLimit-Limit/Remaining/Reset (documented for /transactional only). */
	rateLimitHeaders: boolean;
	/** An invalid MobileNumber fails its row (FailureDetails code 220) or the whole request (400 code 220). */
	mobileError: 'row' | 'request';
}

export const CM_DEFAULT_FORMS: CmForms = { rateLimitHeaders: true, mobileError: 'request' };

/** Per-row codes of people who left the list, by state ("Subscriber is not added" without Resubscribe). */
const LEFT_CODES: Partial<Record<CmSubscriber['State'], { Code: number; Message: string }>> = {
	Suppressed: { Code: 204, Message: 'Email Address exists in suppression list. Subscriber is not added.' },
	Deleted: { Code: 205, Message: 'Email Address exists in deleted list. Subscriber is not added.' },
	Unsubscribed: { Code: 206, Message: 'Email Address exists in unsubscribed list. Subscriber is not added.' },
	Bounced: { Code: 207, Message: 'Email Address exists in bounced list. Subscriber is not added.' },
	Unconfirmed: { Code: 208, Message: 'Email Address exists in unconfirmed list. Subscriber is not added.' },
};

const E164 = /^\+[1-9]\d{1,14}$/;

export class CampaignMonitorSandbox implements ServiceModule {
	readonly prefix = '/cm/api/v3.3';

	readonly name = 'campaignMonitor';

	readonly maxBodyBytes = CM_MAX_BODY_BYTES;

	private readonly limiter: FixedWindowLimiter;

	private lists = new Map<string, CmList>();

	/** Values the sandbox cut to 250 characters; the node should never let this happen. */
	silentlyTruncated = 0;

	forms: CmForms = { ...CM_DEFAULT_FORMS };

	readonly clients = [
		{ ClientID: 'sandbox-client-retail', Name: 'Sandbox Retail' },
		{ ClientID: 'sandbox-client-outlet', Name: 'Sandbox Outlet' },
	];

	constructor(private readonly scale: number) {
		this.limiter = new FixedWindowLimiter(CM_RATE_LIMIT, CM_RATE_WINDOW_MS / scale);
		this.reset();
	}

	reset(): void {
		this.limiter.reset();
		this.silentlyTruncated = 0;
		this.forms = { ...CM_DEFAULT_FORMS };
		this.lists = new Map();
		const standardFields = ['Address', 'City', 'State', 'Postal Code', 'Country', 'Loyalty Tier'].map(textField);
		this.addList({ ListID: 'cm-list-newsletter', Title: 'Newsletter', clientId: 'sandbox-client-retail', customFields: standardFields });
		this.addList({ ListID: 'cm-list-vip', Title: 'VIP Customers', clientId: 'sandbox-client-retail', customFields: [] });
		this.addList({ ListID: 'cm-list-outlet', Title: 'Outlet Shoppers', clientId: 'sandbox-client-outlet', customFields: [textField('City')] });
	}

	private addList(list: Omit<CmList, 'subscribers'>): void {
		this.lists.set(list.ListID, { ...list, subscribers: new Map() });
	}

	/** Subscribers of a list, for assertions. */
	subscribers(listId: string): CmSubscriber[] {
		return [...(this.lists.get(listId)?.subscribers.values() ?? [])];
	}

	/** Puts a subscriber in a list directly (e.g. one who unsubscribed earlier). */
	seed(listId: string, subscriber: Partial<CmSubscriber> & { EmailAddress: string }): void {
		this.lists.get(listId)!.subscribers.set(subscriber.EmailAddress.toLowerCase(), {
			Name: '',
			CustomFields: {},
			State: 'Active',
			ConsentToTrack: 'Unchanged',
			Date: new Date().toISOString(),
			...subscriber,
		});
	}

	snapshot() {
		return {
			silentlyTruncated: this.silentlyTruncated,
			lists: [...this.lists.values()].map((list) => ({ ListID: list.ListID, Title: list.Title, subscribers: list.subscribers.size })),
		};
	}

	handle(request: SandboxRequest): SandboxResponse {
		const credentials = basicAuth(request.headers);
		if (!credentials) return { status: 401, body: { Code: 50, Message: 'Must supply a valid HTTP Basic Authorization header' } };
		if (credentials.user !== CM_TEST_API_KEY) return { status: 401, body: { Code: 100, Message: 'Invalid API key' } };

		const rate = this.limiter.take(credentials.user, request.arrivedAt);
		// Reset is whole seconds at the published scale; a faster sandbox reports fractions so clients can pace precisely.
		const reset = this.scale === 1 ? String(Math.ceil(rate.resetMs / 1000)) : (rate.resetMs / 1000).toFixed(3);
		const headers: Record<string, string> = this.forms.rateLimitHeaders
			? { 'X-RateLimit-Limit': String(CM_RATE_LIMIT), 'X-RateLimit-Remaining': String(rate.remaining), 'X-RateLimit-Reset': reset }
			: {};
		if (!rate.allowed) {
			const Message = this.forms.rateLimitHeaders ? 'Rate limit exceeded' : 'Subscriber was added too many times too quickly, try again later.';
			return { status: 429, body: { Code: 429, Message }, headers };
		}
		const response = this.route(request);
		return { ...response, headers: { ...headers, ...response.headers } };
	}

	private route(request: SandboxRequest): SandboxResponse {
		const { method, path } = request;
		let match: RegExpMatchArray | null;
		if (method === 'GET' && path === '/systemdate.json') return { status: 200, body: { SystemDate: new Date().toISOString().slice(0, 19).replace('T', ' ') } };
		if (method === 'GET' && path === '/clients.json') return { status: 200, body: this.clients };
		if (method === 'GET' && (match = path.match(/^\/clients\/([^/]+)\/lists\.json$/))) {
			const clientId = decodeURIComponent(match[1]);
			if (!this.clients.some((client) => client.ClientID === clientId)) return { status: 400, body: { Code: 102, Message: 'Invalid ClientID' } };
			return { status: 200, body: [...this.lists.values()].filter((l) => l.clientId === clientId).map((l) => ({ ListID: l.ListID, Name: l.Title })) };
		}
		if ((match = path.match(/^\/lists\/([^/]+)(\.json|\/customfields\.json|\/active\.json)$/)) && method === 'GET') {
			const list = this.lists.get(decodeURIComponent(match[1]));
			if (!list) return { status: 400, body: { Code: 101, Message: 'Invalid ListID' } };
			if (match[2] === '.json') return { status: 200, body: { ListID: list.ListID, Title: list.Title, UnsubscribeSetting: 'AllClientLists', ConfirmedOptIn: false } };
			if (match[2] === '/customfields.json') return { status: 200, body: list.customFields };
			return this.activeSubscribers(list, request.query);
		}
		if (method === 'POST' && (match = path.match(/^\/subscribers\/([^/]+)\/import\.json$/))) {
			const list = this.lists.get(decodeURIComponent(match[1]));
			if (!list) return { status: 400, body: { Code: 101, Message: 'Invalid ListID' } };
			return this.import(list, request.rawBody);
		}
		return { status: 404, body: { Code: 404, Message: `No route for ${method} ${path}` } };
	}

	private activeSubscribers(list: CmList, query: URLSearchParams): SandboxResponse {
		const page = Math.max(1, Number(query.get('page') ?? 1));
		const pageSize = Math.min(1000, Math.max(10, Number(query.get('pagesize') ?? 1000)));
		const active = [...list.subscribers.values()].filter((s) => s.State === 'Active');
		const results = active.slice((page - 1) * pageSize, page * pageSize).map((s) => ({
			EmailAddress: s.EmailAddress,
			Name: s.Name,
			Date: s.Date,
			State: s.State,
			CustomFields: Object.entries(s.CustomFields).map(([Key, Value]) => ({ Key, Value })),
		}));
		return {
			status: 200,
			body: {
				Results: results,
				ResultsOrderedBy: 'date',
				OrderDirection: 'asc',
				PageNumber: page,
				PageSize: pageSize,
				RecordsOnThisPage: results.length,
				TotalNumberOfRecords: active.length,
				NumberOfPages: Math.ceil(active.length / pageSize),
			},
		};
	}

	private import(list: CmList, rawBody: Buffer): SandboxResponse {
		const json = parseJson(rawBody);
		if (!json.ok) return { status: 400, body: { Code: 400, Message: `Failed to deserialize your request: ${json.error}` } };
		if (Array.isArray((json.value as { Subscribers?: unknown[] })?.Subscribers) && (json.value as { Subscribers: unknown[] }).Subscribers.length > CM_MAX_SUBSCRIBERS_PER_IMPORT) {
			return { status: 400, body: { Code: 400, Message: `Too many subscribers: at most ${CM_MAX_SUBSCRIBERS_PER_IMPORT} per import` } };
		}
		const parsed = importSchema.safeParse(json.value);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return { status: 400, body: { Code: 400, Message: `Invalid request: ${issue.path.join('.')}: ${issue.message}` } };
		}
		if (this.forms.mobileError === 'request') {
			const bad = parsed.data.Subscribers.find((subscriber) => subscriber.MobileNumber && !E164.test(subscriber.MobileNumber));
			if (bad) return { status: 400, body: { Code: 220, Message: 'The MobileNumber provided is not a valid E.164 phone number' } };
		}
		const keys = new Map(list.customFields.map((field) => [field.Key.toLowerCase(), field]));
		for (const subscriber of parsed.data.Subscribers) {
			for (const field of subscriber.CustomFields ?? []) {
				if (!keys.has(field.Key.toLowerCase())) return { status: 400, body: { Code: 1, Message: `Custom field ${field.Key} does not exist on list ${list.ListID}` } };
			}
		}

		const failures: Array<{ EmailAddress: string; Code: number; Message: string }> = [];
		const duplicates: string[] = [];
		const seen = new Set<string>();
		let created = 0;
		let existing = 0;
		for (const input of parsed.data.Subscribers) {
			const email = input.EmailAddress.trim().toLowerCase();
			if (!acceptsEmail(email)) {
				failures.push({ EmailAddress: input.EmailAddress, Code: 1, Message: 'Invalid Email Address' });
				continue;
			}
			if (seen.has(email)) {
				duplicates.push(input.EmailAddress);
				continue;
			}
			seen.add(email);
			if (input.MobileNumber && !E164.test(input.MobileNumber)) {
				failures.push({ EmailAddress: input.EmailAddress, Code: 220, Message: 'The MobileNumber provided is not a valid E.164 phone number' });
				continue;
			}
			const left = LEFT_CODES[list.subscribers.get(email)?.State ?? 'Active'];
			if (left && !parsed.data.Resubscribe) {
				failures.push({ EmailAddress: input.EmailAddress, ...left });
				continue;
			}
			const customFields: Record<string, string | string[]> = {};
			for (const field of input.CustomFields ?? []) {
				const definition = keys.get(field.Key.toLowerCase())!;
				let value = field.Value;
				if (value.length > CM_MAX_CUSTOM_FIELD_LENGTH) {
					this.silentlyTruncated++;
					value = value.slice(0, CM_MAX_CUSTOM_FIELD_LENGTH);
				}
				if (definition.DataType === 'MultiSelectMany') {
					const previous = customFields[definition.Key];
					customFields[definition.Key] = [...(Array.isArray(previous) ? previous : []), value];
				} else {
					customFields[definition.Key] = value;
				}
			}
			const current = list.subscribers.get(email);
			if (current) {
				existing++;
				current.Name = input.Name ?? current.Name;
				if (input.MobileNumber !== undefined) current.MobileNumber = input.MobileNumber;
				Object.assign(current.CustomFields, customFields);
				if (input.ConsentToTrack.toLowerCase() !== 'unchanged') current.ConsentToTrack = input.ConsentToTrack;
				if (input.ConsentToSendSms && input.ConsentToSendSms !== 'Unchanged') current.ConsentToSendSms = input.ConsentToSendSms;
				// Only with Resubscribe do people who left come back (the others were refused above).
				if (parsed.data.Resubscribe && current.State !== 'Active') current.State = 'Active';
			} else {
				created++;
				list.subscribers.set(email, {
					EmailAddress: email,
					Name: input.Name ?? '',
					MobileNumber: input.MobileNumber,
					ConsentToSendSms: input.ConsentToSendSms !== 'Unchanged' ? input.ConsentToSendSms : undefined,
					CustomFields: customFields,
					State: 'Active',
					ConsentToTrack: input.ConsentToTrack,
					Date: new Date().toISOString(),
				});
			}
		}
		const result = {
			FailureDetails: failures,
			TotalUniqueEmailsSubmitted: seen.size + failures.length,
			TotalExistingSubscribers: existing,
			TotalNewSubscribers: created,
			DuplicateEmailsInSubmission: duplicates,
		};
		const delayMs = (parsed.data.Subscribers.length * CM_IMPORT_MS_PER_SUBSCRIBER) / this.scale;
		const contacts = parsed.data.Subscribers.length;
		if (failures.length) {
			return { status: 400, body: { Code: 210, Message: 'Subscriber Import had some failures', ResultData: result }, delayMs, contacts };
		}
		return { status: 201, body: result, delayMs, contacts };
	}
}
