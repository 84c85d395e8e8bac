import { randomUUID } from 'crypto';
import { z } from 'zod';

import type { SandboxRequest, SandboxResponse, ServiceModule } from './core';
import { later, parseJson, retryAfterSeconds, SlidingWindowLimiter } from './core';

/**
 * ActiveCampaign (API v3) as the sandbox models it. Each rule names its source; the contract notes
 * are docs/destinations/activecampaign.md. Sources:
 * [BI]  https://developers.activecampaign.com/reference/bulk-import-contacts
 * [BIS] https://developers.activecampaign.com/reference/bulk-import-status-info
 * [RL]  https://developers.activecampaign.com/reference/rate-limits
 * [OAS] the vendor's ReadMe OpenAPI definition behind those pages (paths./import/bulk_import)
 * - [BI] bulk_import: at most 250 contacts per request; [BI] payload "less than 400K bytes".
 * - [RL] 5 requests per second per account (window type unconfirmed: modelled as sliding); 429 with
 *   Retry-After in seconds. [BI] bulk imports also 100 per minute for multi-contact requests and 20
 *   per minute for single-contact ones; [OAS] answered as 400 {"message": "Rate limit exceeded.",
 *   "failureReasons": ["Up to 100 imports may be requested per minute…"]} (form '400', the default),
 *   or as the general 429 (form '429').
 * - [OAS] 200 {"Success": 1, "queued_contacts": n, "batchId", "message"}: the success key's casing and
 *   count vary between the vendor's examples, so both are a switch (forms.successKey, forms.queued).
 * - [BIS] Imports are asynchronous; status is false until set, then waiting, claimed, active and
 *   completed (forms.pending lists the states shown before the end); failed and interrupted end a batch
 *   "and can no longer be retried" (forms.final). `success` lists contact ids, `failure` e-mails.
 *   Timing (AC_BATCH_BASE_MS + AC_IMPORT_MS_PER_CONTACT per contact) is modelled, not documented.
 * - [OAS] A contact that fails validation refuses the whole request: 400 "JSON payload did not pass
 *   validation…" with failureReasons [{contact: index, failureReason}]. Whether the index counts from
 *   0 or 1 is not documented: forms.indexBase. The e-mail rule is modelled on the example reason
 *   "Field 'email' incorrect format"; `refuseEmails` lets a test name addresses refused this way.
 * - Addresses at ".invalid" domains pass validation but fail processing (modelled on the account's
 *   exclusion list, unconfirmed) and are listed under failure by import/info.
 * - [OAS] subscribe: "Contacts may not be subscribed to lists which they have previously unsubscribed from."
 * - [BI] exclude_automations: the text says "in the payload", the example puts it in each contact:
 *   both places are accepted; automations run for a contact unless one of them is true.
 */
export const AC_MAX_CONTACTS_PER_IMPORT = 250;
export const AC_MAX_IMPORT_BYTES = 399_999;
export const AC_REQUESTS_PER_SECOND = 5;
export const AC_BULK_IMPORTS_PER_MINUTE = 100;
export const AC_SINGLE_CONTACT_IMPORTS_PER_MINUTE = 20;
export const AC_BATCH_BASE_MS = 1_000;
export const AC_IMPORT_MS_PER_CONTACT = 4;
export const AC_TEST_API_KEY = 'sandbox-ac-api-key-0001';

export const contactSchema = z
	.object({
		email: z.string(),
		first_name: z.string().optional(),
		last_name: z.string().optional(),
		phone: z.string().optional(),
		customer_acct_name: z.string().optional(),
		tags: z.array(z.string()).optional(),
		fields: z.array(z.object({ id: z.number().int(), value: z.string() }).strict()).optional(),
		subscribe: z.array(z.object({ listid: z.number().int() }).strict()).optional(),
		unsubscribe: z.array(z.object({ listid: z.number().int() }).strict()).optional(),
		// [OAS] request example: "exclude_automations": false inside a contact.
		exclude_automations: z.boolean().optional(),
	})
	.strict();

export const importSchema = z
	.object({
		contacts: z.array(contactSchema).min(1).max(AC_MAX_CONTACTS_PER_IMPORT),
		exclude_automations: z.boolean().optional(),
		callback: z.object({ url: z.string(), requestType: z.string() }).passthrough().optional(),
	})
	.strict();

const singleContactSchema = z
	.object({
		contact: z
			.object({
				email: z.string(),
				firstName: z.string().optional(),
				lastName: z.string().optional(),
				phone: z.string().optional(),
				fieldValues: z.array(z.object({ field: z.string(), value: z.string() }).strict()).optional(),
			})
			.strict(),
	})
	.strict();

export interface AcContact {
	email: string;
	first_name?: string;
	last_name?: string;
	phone?: string;
	tags: Set<string>;
	fields: Record<number, string>;
	/** List id → 1 active, 2 unsubscribed. */
	lists: Map<number, 1 | 2>;
}

interface Batch {
	id: string;
	doneAt: number;
	done: boolean;
	/** Contact ids [BIS]. */
	success: string[];
	failure: Array<{ email: string; reason: string }>;
	automationsExcluded: boolean;
	/** import/info polls answered so far, to walk through forms.pending. */
	polls: number;
}

/** Answer forms the vendor documents (or shows) in more than one way: one switch per form. */
export interface AcForms {
	/** [OAS] example "Success": 1; other examples "success". */
	successKey: 'Success' | 'success';
	/** The success count: 1 as in the example, or the number of contacts queued. */
	successCount: 'one' | 'contacts';
	/** Base of failureReasons[].contact (undocumented). */
	indexBase: 0 | 1;
	/** How the per-minute import limit is answered. */
	rateLimit: '400' | '429';
	/** Statuses import/info shows while a batch is not done, one per poll (the last repeats). */
	pending: Array<false | 'waiting' | 'claimed' | 'active'>;
	/** How a batch ends. */
	final: 'completed' | 'failed' | 'interrupted';
	/** import/info `failure` entries: e-mails as documented, or objects {email, reason}. */
	failureEntries: 'emails' | 'objects';
}

export const AC_DEFAULT_FORMS: AcForms = {
	successKey: 'Success',
	successCount: 'one',
	indexBase: 0,
	rateLimit: '400',
	pending: [false],
	final: 'completed',
	failureEntries: 'emails',
};

export class ActiveCampaignSandbox implements ServiceModule {
	/** Bumped by reset(): work scheduled before a reset must not touch the new state. */
	private generation = 0;

	readonly prefix = '/ac';

	readonly name = 'activeCampaign';

	readonly maxBodyBytes = AC_MAX_IMPORT_BYTES;

	readonly perSecond: SlidingWindowLimiter;

	readonly bulkPerMinute: SlidingWindowLimiter;

	readonly singlePerMinute: SlidingWindowLimiter;

	private contactsByEmail = new Map<string, AcContact>();

	private batches = new Map<string, Batch>();

	/** Contact ids by e-mail, for import/info `success` [BIS]. */
	private contactIds = new Map<string, number>();

	readonly lists = [
		{ id: '1', name: 'Newsletter', stringid: 'newsletter' },
		{ id: '2', name: 'VIP Customers', stringid: 'vip-customers' },
		{ id: '3', name: 'Events', stringid: 'events' },
	];

	readonly fields = [
		{ id: '1', title: 'Address', perstag: 'ADDRESS', type: 'text' },
		{ id: '2', title: 'City', perstag: 'CITY', type: 'text' },
		{ id: '3', title: 'State', perstag: 'STATE', type: 'text' },
		{ id: '4', title: 'Postal Code', perstag: 'POSTAL_CODE', type: 'text' },
		{ id: '5', title: 'Country', perstag: 'COUNTRY', type: 'text' },
		{ id: '6', title: 'Loyalty Tier', perstag: 'LOYALTY_TIER', type: 'dropdown' },
	];

	/** Imports that arrived with automations left on for some contact. */
	importsWithAutomations = 0;

	forms: AcForms = { ...AC_DEFAULT_FORMS };

	/** Addresses refused at validation as "Field 'email' incorrect format" (a test hook). */
	refuseEmails = new Set<string>();

	/** Contacts of each accepted import request, for tests (how many imports, of what size). */
	readonly importSizes: number[] = [];

	constructor(private readonly scale: number) {
		this.perSecond = new SlidingWindowLimiter(AC_REQUESTS_PER_SECOND, 1000 / scale);
		this.bulkPerMinute = new SlidingWindowLimiter(AC_BULK_IMPORTS_PER_MINUTE, 60_000 / scale);
		this.singlePerMinute = new SlidingWindowLimiter(AC_SINGLE_CONTACT_IMPORTS_PER_MINUTE, 60_000 / scale);
	}

	reset(): void {
		this.generation++;
		this.perSecond.reset();
		this.bulkPerMinute.reset();
		this.singlePerMinute.reset();
		this.contactsByEmail = new Map();
		this.batches = new Map();
		this.contactIds = new Map();
		this.importsWithAutomations = 0;
		this.forms = { ...AC_DEFAULT_FORMS };
		this.refuseEmails = new Set();
		this.importSizes.length = 0;
	}

	contacts(): AcContact[] {
		return [...this.contactsByEmail.values()];
	}

	listMembers(listId: number, status: 1 | 2 = 1): AcContact[] {
		return this.contacts().filter((contact) => contact.lists.get(listId) === status);
	}

	seed(email: string, lists: Array<[number, 1 | 2]>): void {
		this.contactsByEmail.set(email.toLowerCase(), { email: email.toLowerCase(), tags: new Set(), fields: {}, lists: new Map(lists) });
	}

	snapshot() {
		return {
			contacts: this.contactsByEmail.size,
			lists: this.lists.map((list) => ({ ...list, members: this.listMembers(Number(list.id)).length })),
			peakPerSecond: this.perSecond.peak,
			peakBulkImportsPerMinute: this.bulkPerMinute.peak,
		};
	}

	handle(request: SandboxRequest): SandboxResponse {
		if (request.headers['api-token'] !== AC_TEST_API_KEY) return { status: 403, body: { message: 'No Result found for User with id 0' } };
		const second = this.perSecond.take('account', request.arrivedAt);
		if (!second.allowed) {
			return { status: 429, body: { message: 'Too Many Requests' }, headers: { 'Retry-After': retryAfterSeconds(second.retryAfterMs, this.scale) } };
		}
		const { method, path, query } = request;
		if (method === 'GET' && path === '/api/3/users/me') return { status: 200, body: { user: { id: '1', username: 'sandbox', email: 'owner@sandbox.example' } } };
		if (method === 'GET' && path === '/api/3/lists') return this.page('lists', this.lists, query);
		if (method === 'GET' && path === '/api/3/fields') return this.page('fields', this.fields, query);
		if (method === 'POST' && path === '/api/3/import/bulk_import') return this.import(request.rawBody, request.arrivedAt);
		if (method === 'POST' && (path === '/api/3/contacts' || path === '/api/3/contact/sync')) return this.singleContact(request.rawBody, path.endsWith('sync'));
		if (method === 'GET' && path === '/api/3/import/info') {
			const batch = this.batches.get(query.get('batchId') ?? '');
			// Unknown batchId: undocumented ([OAS] documents only the 400 for a missing one); modelled as 404.
			if (!batch) return { status: 404, body: { message: 'Batch not found' } };
			const polls = batch.polls++;
			if (!batch.done) return { status: 200, body: { status: this.forms.pending[Math.min(polls, this.forms.pending.length - 1)] } };
			const failure = this.forms.failureEntries === 'emails' ? batch.failure.map((entry) => entry.email) : batch.failure;
			if (this.forms.final !== 'completed') return { status: 200, body: { status: this.forms.final } };
			return { status: 200, body: { status: 'completed', success: batch.success, failure } };
		}
		return { status: 404, body: { message: `No route for ${method} ${path}` } };
	}

	/**
	 * One contact per request, as n8n's built-in ActiveCampaign node creates or syncs them (for the
	 * benchmarks): https://developers.activecampaign.com/reference/create-a-new-contact and
	 * …/sync-a-contacts-data; the 422 bodies are modelled.
	 */
	private singleContact(rawBody: Buffer, sync: boolean): SandboxResponse {
		const json = parseJson(rawBody);
		const parsed = json.ok ? singleContactSchema.safeParse(json.value) : undefined;
		if (!parsed?.success) return { status: 422, body: { errors: [{ title: 'Invalid contact', detail: json.ok ? parsed?.error.issues[0].message : 'Invalid JSON' }] } };
		const input = parsed.data.contact;
		const email = input.email.trim().toLowerCase();
		if (!/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(email)) return { status: 422, body: { errors: [{ title: 'Email address is invalid', source: { pointer: '/data/attributes/email' } }] } };
		let contact = this.contactsByEmail.get(email);
		if (contact && !sync) return { status: 422, body: { errors: [{ title: 'Email address already exists in the system.', code: 'duplicate' }] } };
		const created = !contact;
		if (!contact) {
			contact = { email, tags: new Set(), fields: {}, lists: new Map() };
			this.contactsByEmail.set(email, contact);
		}
		if (input.firstName !== undefined) contact.first_name = input.firstName;
		if (input.lastName !== undefined) contact.last_name = input.lastName;
		if (input.phone !== undefined) contact.phone = input.phone;
		return { status: created ? 201 : 200, body: { contact: { id: String(this.contactsByEmail.size), email, firstName: contact.first_name ?? '', lastName: contact.last_name ?? '' } }, contacts: 1 };
	}

	private page(key: string, all: unknown[], query: URLSearchParams): SandboxResponse {
		const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 20)));
		const offset = Math.max(0, Number(query.get('offset') ?? 0));
		return { status: 200, body: { [key]: all.slice(offset, offset + limit), meta: { total: String(all.length) } } };
	}

	private import(rawBody: Buffer, arrivedAt: number): SandboxResponse {
		const json = parseJson(rawBody);
		if (!json.ok) return { status: 400, body: { success: 0, message: `Invalid JSON: ${json.error}` } };
		const parsed = importSchema.safeParse(json.value);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return { status: 400, body: { success: 0, message: `Invalid request: ${issue.path.join('.')}: ${issue.message}` } };
		}
		const { contacts } = parsed.data;
		const perMinute = contacts.length > 1 ? this.bulkPerMinute : this.singlePerMinute;
		const minute = perMinute.take('account', arrivedAt);
		if (!minute.allowed) {
			if (this.forms.rateLimit === '400') {
				// [OAS] 400 "Other Error" example, word for word.
				return {
					status: 400,
					body: {
						success: 0,
						message: 'Rate limit exceeded.',
						failureReasons: ['Up to 100 imports may be requested per minute.Please batch contacts into larger requests, or retry this request in a minute.'],
					},
				};
			}
			return { status: 429, body: { message: 'Bulk import rate limit exceeded' }, headers: { 'Retry-After': retryAfterSeconds(minute.retryAfterMs, this.scale) } };
		}
		const fieldIds = new Set(this.fields.map((field) => Number(field.id)));
		const listIds = new Set(this.lists.map((list) => Number(list.id)));
		const failureReasons: Array<{ contact: number; failureReason: string }> = [];
		contacts.forEach((contact, position) => {
			const index = position + this.forms.indexBase;
			if (!/^[^\s@]+@[^\s@]+\.[a-z0-9-]{2,}$/i.test(contact.email) || this.refuseEmails.has(contact.email)) failureReasons.push({ contact: index, failureReason: "Field 'email' incorrect format" });
			const badField = contact.fields?.find((field) => !fieldIds.has(field.id));
			if (badField) failureReasons.push({ contact: index, failureReason: `Field id ${badField.id} does not exist` });
			const badList = [...(contact.subscribe ?? []), ...(contact.unsubscribe ?? [])].find((list) => !listIds.has(list.listid));
			if (badList) failureReasons.push({ contact: index, failureReason: `List id ${badList.listid} does not exist` });
		});
		if (failureReasons.length) {
			return { status: 400, body: { success: 0, message: 'JSON payload did not pass validation. Please fix failure Reasons and retry. The import was not queued for processing.', failureReasons } };
		}

		const excludedEverywhere = parsed.data.exclude_automations === true || contacts.every((contact) => contact.exclude_automations === true);
		if (!excludedEverywhere) this.importsWithAutomations++;
		this.importSizes.push(contacts.length);
		const now = Date.now();
		const batch: Batch = {
			id: randomUUID(),
			doneAt: now + (AC_BATCH_BASE_MS + contacts.length * AC_IMPORT_MS_PER_CONTACT) / this.scale,
			done: false,
			success: [],
			failure: [],
			automationsExcluded: excludedEverywhere,
			polls: 0,
		};
		this.batches.set(batch.id, batch);
		const generation = this.generation;
		later(batch.doneAt - now, () => generation === this.generation && this.process(batch, contacts));
		const count = this.forms.successCount === 'one' ? 1 : contacts.length;
		return {
			status: 200,
			body: { [this.forms.successKey]: count, queued_contacts: contacts.length, batchId: batch.id, message: 'Contact import queued' },
			contacts: contacts.length,
		};
	}

	private process(batch: Batch, contacts: Array<z.infer<typeof contactSchema>>): void {
		for (const input of contacts) {
			const email = input.email.trim().toLowerCase();
			if (/\.invalid$/i.test(email)) {
				batch.failure.push({ email: input.email, reason: 'Email address is on the exclusion list' });
				continue;
			}
			let contact = this.contactsByEmail.get(email);
			if (!contact) {
				contact = { email, tags: new Set(), fields: {}, lists: new Map() };
				this.contactsByEmail.set(email, contact);
			}
			if (input.first_name !== undefined) contact.first_name = input.first_name;
			if (input.last_name !== undefined) contact.last_name = input.last_name;
			if (input.phone !== undefined) contact.phone = input.phone;
			for (const tag of input.tags ?? []) contact.tags.add(tag);
			for (const field of input.fields ?? []) contact.fields[field.id] = field.value;
			for (const { listid } of input.subscribe ?? []) {
				// People who unsubscribed from a list stay unsubscribed.
				if (contact.lists.get(listid) !== 2) contact.lists.set(listid, 1);
			}
			for (const { listid } of input.unsubscribe ?? []) contact.lists.set(listid, 2);
			if (!this.contactIds.has(email)) this.contactIds.set(email, this.contactIds.size + 1);
			batch.success.push(String(this.contactIds.get(email)));
		}
		batch.done = true;
	}
}
