import { randomUUID } from 'crypto';
import { z } from 'zod';

import type { SandboxRequest, SandboxResponse, ServiceModule } from './core';
import { later, parseJson, retryAfterSeconds, SlidingWindowLimiter } from './core';

/**
 * ActiveCampaign (API v3) as the sandbox models it. Documented constants:
 * - bulk_import: at most 250 contacts and 399,999 bytes per request.
 * - 5 requests per second per account, all requests (sliding window); bulk imports also 100 per
 *   minute for multi-contact requests and 20 per minute for single-contact ones. 429 with Retry-After.
 * - Imports are asynchronous: a batch completes AC_BATCH_BASE_MS + AC_IMPORT_MS_PER_CONTACT per contact
 *   after it is accepted (modelled); import/info answers status false until then.
 * - A request with a contact whose e-mail is malformed, or with unknown field or list ids, is refused
 *   whole (400, failureReasons by contact index). Addresses at ".invalid" domains pass validation but
 *   fail processing (the account's exclusion list), and are listed under failure by import/info.
 * - Unsubscribed list members are not re-subscribed.
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
	success: string[];
	failure: Array<{ email: string; reason: string }>;
	automationsExcluded: boolean;
}

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

	/** Imports that arrived with automations left on. */
	importsWithAutomations = 0;

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
		this.importsWithAutomations = 0;
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
			if (!batch) return { status: 404, body: { message: 'Batch not found' } };
			if (!batch.done) return { status: 200, body: { status: false } };
			return { status: 200, body: { status: 'completed', success: batch.success, failure: batch.failure } };
		}
		return { status: 404, body: { message: `No route for ${method} ${path}` } };
	}

	/** One contact per request, as n8n's built-in ActiveCampaign node creates or syncs them. */
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
			return { status: 429, body: { message: 'Bulk import rate limit exceeded' }, headers: { 'Retry-After': retryAfterSeconds(minute.retryAfterMs, this.scale) } };
		}
		const fieldIds = new Set(this.fields.map((field) => Number(field.id)));
		const listIds = new Set(this.lists.map((list) => Number(list.id)));
		const failureReasons: Array<{ contact: number; failureReason: string }> = [];
		contacts.forEach((contact, index) => {
			if (!/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(contact.email)) failureReasons.push({ contact: index, failureReason: "Field 'email' incorrect format" });
			const badField = contact.fields?.find((field) => !fieldIds.has(field.id));
			if (badField) failureReasons.push({ contact: index, failureReason: `Field id ${badField.id} does not exist` });
			const badList = [...(contact.subscribe ?? []), ...(contact.unsubscribe ?? [])].find((list) => !listIds.has(list.listid));
			if (badList) failureReasons.push({ contact: index, failureReason: `List id ${badList.listid} does not exist` });
		});
		if (failureReasons.length) return { status: 400, body: { success: 0, message: 'Some contacts failed validation', failureReasons } };

		if (parsed.data.exclude_automations !== true) this.importsWithAutomations++;
		const now = Date.now();
		const batch: Batch = {
			id: randomUUID(),
			doneAt: now + (AC_BATCH_BASE_MS + contacts.length * AC_IMPORT_MS_PER_CONTACT) / this.scale,
			done: false,
			success: [],
			failure: [],
			automationsExcluded: parsed.data.exclude_automations === true,
		};
		this.batches.set(batch.id, batch);
		const generation = this.generation;
		later(batch.doneAt - now, () => generation === this.generation && this.process(batch, contacts));
		return { status: 200, body: { success: 1, queued_contacts: contacts.length, batchId: batch.id }, contacts: contacts.length };
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
			batch.success.push(input.email);
		}
		batch.done = true;
	}
}
