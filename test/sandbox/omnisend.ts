import { randomBytes } from 'crypto';
import { z } from 'zod';

import type { SandboxRequest, SandboxResponse, ServiceModule } from './core';
import { later, parseJson, SlidingWindowLimiter, PagedSnapshots } from './core';

/**
 * Omnisend (API version 2026-03-15) as the sandbox models it; contract notes in
 * docs/destinations/omnisend.md. Sources:
 * [MIG]  https://api-docs.omnisend.com/docs/migrate-from-v5-to-v2026-03-15
 * [PB]   https://api-docs.omnisend.com/v2026-03-15/reference/post_batches
 * [RL]   https://api-docs.omnisend.com/v2026-03-15/reference/rate-limit-timeouts-errors
 * [RESP] https://api-docs.omnisend.com/v2026-03-15/reference/responses
 * [OASC] / [OASB] Omnisend's contacts / batches OpenAPI for 2026-03-15 (the ReadMe definitions behind
 *        api-docs.omnisend.com)
 * - [MIG] Every request needs `Authorization: Omnisend-API-Key …` and `Omnisend-Version: 2026-03-15`.
 * - [PB] POST /batches takes 1–100 items, processed asynchronously; [OASB] 201 {batchID, totalCount}.
 *   Timing (OMNISEND_BATCH_BASE_MS + OMNISEND_MS_PER_ITEM per item) is modelled.
 * - [RL] 400 requests per minute per brand, every request counted, sliding window → 429 problem+json
 *   whose body may carry retryAfter in seconds (forms.retryAfterInBody); no Retry-After header is documented.
 * - [OASB] statuses pending, inProgress, finished, stopped ("stopped for too many errors", v3 docs):
 *   the threshold is not documented — forms.stopAfterErrors (50 here) is an assumption.
 * - [OASC] ContactChannelRequest {status, statusChangedAt}; the getting-started example still sends
 *   statusDate: both are accepted, and item results echo the contact's statuses with the date under
 *   forms.statusField. Channels are optional: without one an existing contact keeps its status and a
 *   new one takes nonSubscribed (Omnisend's default for new contacts is not documented: modelled).
 *   "A status with an older date is ignored" is v3 documentation only: off unless
 *   forms.olderStatusIgnored.
 * - [OASC] sendWelcomeMessage "Defaults to true": new contacts get a welcome message unless it is false
 *   (counted in welcomeMessages).
 * - [OASC] tags: maxItems 100. No contact field has a maxLength in [OASC]: the lengths below are
 *   invented and apply only with forms.fieldLengths, to exercise per-item refusals.
 * - Request bodies over 2 MB are refused with 413 (no size is published; an assumption).
 * - [OASC] GET /contacts: limit "Range: 1-250. Default: 100", cursor `after`/`before` ("from
 *   paging.cursors.after"), sort createdAt|updatedAt (default createdAt), direction asc|desc (default
 *   desc), filters email, phone, status, segmentID, tag, updatedAtFrom; "`tag` and `status` cannot be
 *   used together"; "`updatedAtFrom` cannot be combined with `email`, `phone`, `status`, `segmentID`, or
 *   `tag`". Answer ListContactsResponse {contacts: [ContactResponse], paging: {cursors: {after,
 *   before}, hasMore, limit}}. Unknown parameters get 400 (third-party note, unconfirmed by the vendor).
 *   segmentID and before are not modelled (400 here).
 * - [OASC] DELETE /contacts/tags, RemoveTagsRequest {tags: 1–100 (required), contactIDs / emails /
 *   phones: ≤ 250 each, segmentID}; at least one selector; selectors are a union; "Emails and phones
 *   with no matching contact are silently ignored" → 202 "Untagging accepted", no body. "Untagging is
 *   performed asynchronously": the tags go OMNISEND_UNTAG_MS later (modelled). [RL] 60 requests a
 *   minute for /contacts/tags (its own sliding window, besides the brand's 400). A tag removal never
 *   changes a channel status. Addresses are matched lower-cased, as the sandbox stores them (the v5
 *   guide calls e-mail identifiers case-sensitive; the node sends lower case).
 */
export const OMNISEND_VERSION = '2026-03-15';
export const OMNISEND_MAX_ITEMS_PER_BATCH = 100;
export const OMNISEND_REQUESTS_PER_MINUTE = 400;
export const OMNISEND_BATCH_BASE_MS = 1_000;
export const OMNISEND_MS_PER_ITEM = 20;
export const OMNISEND_STOP_AFTER_ERRORS = 50;
export const OMNISEND_MAX_BODY_BYTES = 2_000_000;
export const OMNISEND_TEST_API_KEY = 'sandbox-omnisend-api-key-0001';
export const OMNISEND_TAG_REQUESTS_PER_MINUTE = 60;
export const OMNISEND_UNTAG_MS = 500;
export const OMNISEND_CONTACTS_PAGE_MAX = 250;
export const OMNISEND_SELECTOR_MAX = 250;
export const OMNISEND_TAGS_PER_REQUEST = 100;

const statusSchema = z.enum(['subscribed', 'unsubscribed', 'nonSubscribed']);

export const contactSchema = z
	.object({
		identifiers: z
			.array(
				z
					.object({
						type: z.enum(['email', 'phone']),
						id: z.string(),
						channels: z
							.object({
								email: z
									.object({ status: statusSchema, statusChangedAt: z.string().datetime().optional(), statusDate: z.string().datetime().optional() })
									.strict(),
							})
							.strict()
							.optional(),
						sendWelcomeMessage: z.boolean().optional(),
					})
					.strict(),
			)
			.min(1),
		firstName: z.string().optional(),
		lastName: z.string().optional(),
		country: z.string().optional(),
		countryCode: z.string().regex(/^[A-Z]{2}$/).optional(),
		state: z.string().optional(),
		city: z.string().optional(),
		address: z.string().optional(),
		postalCode: z.string().optional(),
		gender: z.enum(['f', 'm']).optional(),
		birthdate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
		tags: z.array(z.string().min(1)).max(100).optional(),
		customProperties: z.record(z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).optional(),
	})
	.strict();

export const batchSchema = z
	.object({
		method: z.enum(['POST', 'PUT']),
		endpoint: z.enum(['contacts', 'products', 'events', 'categories']),
		items: z.array(z.unknown()).min(1).max(OMNISEND_MAX_ITEMS_PER_BATCH),
		origin: z.string().optional(),
	})
	.strict();

/** [OASC] RemoveTagsRequest. */
export const removeTagsSchema = z
	.object({
		tags: z.array(z.string().min(1)).min(1).max(OMNISEND_TAGS_PER_REQUEST),
		contactIDs: z.array(z.string()).max(OMNISEND_SELECTOR_MAX).optional(),
		emails: z.array(z.string()).max(OMNISEND_SELECTOR_MAX).optional(),
		phones: z.array(z.string()).max(OMNISEND_SELECTOR_MAX).optional(),
		segmentID: z.string().optional(),
	})
	.strict()
	.refine((body) => body.contactIDs !== undefined || body.emails !== undefined || body.phones !== undefined || body.segmentID !== undefined, {
		message: 'At least one of contactIDs, emails, phones or segmentID is required',
		path: ['contactIDs'],
	});

const CONTACTS_QUERY = new Set(['limit', 'after', 'before', 'sort', 'direction', 'email', 'phone', 'status', 'segmentID', 'tag', 'updatedAtFrom']);

/** Invented field lengths (no source states any), applied only with forms.fieldLengths. */
const INVENTED_LENGTHS: Record<string, number> = { firstName: 100, lastName: 100, country: 100, state: 100, city: 100, address: 255, postalCode: 20 };

/** Answer forms the documents leave open: one switch per form. */
export interface OmnisendForms {
	/** The date field of the statuses echoed in item results. */
	statusField: 'statusChangedAt' | 'statusDate';
	/** Whether a 429's problem body carries retryAfter. */
	retryAfterInBody: boolean;
	/** Errors after which a batch is stopped (undocumented threshold). */
	stopAfterErrors: number;
	/** The v3 rule: a status older than the one held is ignored. */
	olderStatusIgnored: boolean;
	/** Refuse values longer than INVENTED_LENGTHS, per item. */
	fieldLengths: boolean;
}

export const OMNISEND_DEFAULT_FORMS: OmnisendForms = {
	statusField: 'statusChangedAt',
	retryAfterInBody: true,
	stopAfterErrors: OMNISEND_STOP_AFTER_ERRORS,
	olderStatusIgnored: false,
	fieldLengths: false,
};

export interface OmnisendContact {
	contactID: string;
	createdAt: string;
	email: string;
	status: 'subscribed' | 'unsubscribed' | 'nonSubscribed';
	statusDate: string;
	tags: Set<string>;
	properties: Record<string, unknown>;
}

interface BatchItemResult {
	itemID: string;
	request: unknown;
	response: unknown;
	responseCode: number;
	status: string;
}

interface Batch {
	batchID: string;
	method: string;
	endpoint: string;
	status: 'pending' | 'inProgress' | 'finished' | 'stopped';
	createdAt: string;
	created: number;
	doneAt: number;
	totalCount: number;
	finishedCount: number;
	errorsCount: number;
	errors: BatchItemResult[];
	responses: BatchItemResult[];
}

function problem(status: number, title: string, detail: string, type = 'https://problems.omnisend.com/problem', errors?: unknown[]): SandboxResponse {
	return { status, body: { type, title, status, detail, instance: `urn:omnisend:request:${randomBytes(8).toString('hex')}`, ...(errors ? { errors } : {}) }, headers: { 'content-type': 'application/problem+json' } };
}

function objectId(): string {
	return randomBytes(12).toString('hex');
}

export class OmnisendSandbox implements ServiceModule {
	/** Bumped by reset(): work scheduled before a reset must not touch the new state. */
	private generation = 0;

	readonly prefix = '/omnisend/api';

	readonly name = 'omnisend';

	readonly maxBodyBytes = OMNISEND_MAX_BODY_BYTES;

	readonly perMinute: SlidingWindowLimiter;

	/** [RL] /contacts/tags POST and DELETE: 60 a minute. */
	readonly tagsPerMinute: SlidingWindowLimiter;

	/** DELETE /contacts/tags requests accepted. */
	tagRemovals = 0;

	private contactsByEmail = new Map<string, OmnisendContact>();

	private batches: Batch[] = [];

	/** Requests that came without the version header (must stay 0). */
	requestsWithoutVersion = 0;

	/** Welcome messages Omnisend would have sent (new contacts without sendWelcomeMessage: false). */
	welcomeMessages = 0;

	/** Contact items that carried a channel status. */
	itemsWithStatus = 0;

	forms: OmnisendForms = { ...OMNISEND_DEFAULT_FORMS };

	constructor(private readonly scale: number) {
		this.perMinute = new SlidingWindowLimiter(OMNISEND_REQUESTS_PER_MINUTE, 60_000 / scale);
		this.tagsPerMinute = new SlidingWindowLimiter(OMNISEND_TAG_REQUESTS_PER_MINUTE, 60_000 / scale);
	}

	/** Filtered lists behind paged reads of contacts, one per read. */
	private readonly listings = new PagedSnapshots<OmnisendContact>();

	reset(): void {
		this.listings.clear();
		this.generation++;
		this.perMinute.reset();
		this.tagsPerMinute.reset();
		this.tagRemovals = 0;
		this.contactsByEmail = new Map();
		this.batches = [];
		this.requestsWithoutVersion = 0;
		this.welcomeMessages = 0;
		this.itemsWithStatus = 0;
		this.forms = { ...OMNISEND_DEFAULT_FORMS };
	}

	contacts(): OmnisendContact[] {
		return [...this.contactsByEmail.values()];
	}

	contact(email: string): OmnisendContact | undefined {
		return this.contactsByEmail.get(email.toLowerCase());
	}

	/** Contacts carrying `tag`. */
	tagged(tag: string): OmnisendContact[] {
		return this.contacts().filter((contact) => contact.tags.has(tag));
	}

	seed(email: string, status: OmnisendContact['status'], statusDate = new Date().toISOString(), tags: string[] = []): void {
		this.contactsByEmail.set(email.toLowerCase(), { contactID: objectId(), createdAt: new Date().toISOString(), email: email.toLowerCase(), status, statusDate, tags: new Set(tags), properties: {} });
	}

	snapshot() {
		return {
			contacts: this.contactsByEmail.size,
			batches: this.batches.length,
			stoppedBatches: this.batches.filter((batch) => batch.status === 'stopped').length,
			requestsWithoutVersion: this.requestsWithoutVersion,
			peakPerMinute: this.perMinute.peak,
			peakTagsPerMinute: this.tagsPerMinute.peak,
		};
	}

	handle(request: SandboxRequest): SandboxResponse {
		const auth = request.headers.authorization;
		if (auth !== `Omnisend-API-Key ${OMNISEND_TEST_API_KEY}`) return problem(403, 'Forbidden', 'Invalid API key');
		if (request.headers['omnisend-version'] !== OMNISEND_VERSION) {
			this.requestsWithoutVersion++;
			return problem(400, 'Validation failed', `Header Omnisend-Version must be ${OMNISEND_VERSION}`);
		}
		const minute = this.perMinute.take('brand', request.arrivedAt);
		if (!minute.allowed) {
			const answer = problem(429, 'Too Many Requests', 'Rate limit of 400 requests per minute exceeded', 'https://problems.omnisend.com/rate-limit-exceeded');
			// [RL] / [OASC] RateLimitProblem.retryAfter: "Seconds to wait before retrying the request" (scaled with the sandbox).
			if (this.forms.retryAfterInBody) (answer.body as Record<string, unknown>).retryAfter = Math.max(0.001, minute.retryAfterMs / 1000);
			return answer;
		}
		const { method, path, query } = request;
		let match: RegExpMatchArray | null;
		if (method === 'DELETE' && path === '/contacts/tags') {
			const tagWindow = this.tagsPerMinute.take('brand', request.arrivedAt);
			if (!tagWindow.allowed) {
				const answer = problem(429, 'Too Many Requests', 'Rate limit of 60 requests per minute exceeded for /contacts/tags', 'https://problems.omnisend.com/rate-limit-exceeded');
				if (this.forms.retryAfterInBody) (answer.body as Record<string, unknown>).retryAfter = Math.max(0.001, tagWindow.retryAfterMs / 1000);
				return answer;
			}
			return this.removeTags(request.rawBody);
		}
		if (method === 'GET' && path === '/contacts') return this.listContacts(query);
		if (method === 'GET' && path === '/brands/current') return { status: 200, body: { brandID: 'sandbox-brand', website: 'https://shop.example', currency: 'EUR' } };
		if (method === 'POST' && path === '/batches') return this.createBatch(request.rawBody);
		if (method === 'GET' && path === '/batches') return this.listBatches(query);
		if (method === 'GET' && (match = path.match(/^\/batches\/([^/]+)(\/items)?$/))) {
			const batch = this.batches.find((candidate) => candidate.batchID === match![1]);
			if (!batch) return problem(404, 'Not found', 'Batch not found');
			return { status: 200, body: match[2] ? { ...this.batchBody(batch), errors: batch.errors, responses: batch.responses } : this.batchBody(batch) };
		}
		return problem(404, 'Not found', `No route for ${method} ${path}`);
	}

	private listContacts(query: URLSearchParams): SandboxResponse {
		const invalid = (field: string, message: string) => problem(400, 'Validation failed', `${field}: ${message}`, 'https://problems.omnisend.com/validation-failed', [{ field, code: 'invalid', message }]);
		for (const key of query.keys()) if (!CONTACTS_QUERY.has(key)) return invalid(key, 'Unknown query parameter');
		const limit = Number(query.get('limit') ?? 100);
		if (!Number.isInteger(limit) || limit < 1 || limit > OMNISEND_CONTACTS_PAGE_MAX) return invalid('limit', 'Range: 1-250');
		const tag = query.get('tag');
		const status = query.get('status');
		if (tag !== null && status !== null) return invalid('tag', 'tag and status cannot be used together');
		if (query.has('updatedAtFrom') && ['email', 'phone', 'status', 'segmentID', 'tag'].some((key) => query.has(key))) return invalid('updatedAtFrom', 'cannot be combined with email, phone, status, segmentID, or tag');
		if (status !== null && !statusSchema.safeParse(status).success) return invalid('status', 'Invalid enum value');
		const sort = query.get('sort') ?? 'createdAt';
		const direction = query.get('direction') ?? 'desc';
		if (!['createdAt', 'updatedAt'].includes(sort)) return invalid('sort', 'Invalid enum value');
		if (!['asc', 'desc'].includes(direction)) return invalid('direction', 'Invalid enum value');
		if (query.has('segmentID') || query.has('before') || query.has('phone')) return invalid('segmentID', 'Not modelled by the sandbox');
		const email = query.get('email')?.toLowerCase();
		let offset = 0;
		let snapshot: string | undefined;
		const after = query.get('after');
		if (after !== null) {
			const decoded = /^offset:(\d+)(?::(s\d+))?$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
			if (!decoded) return invalid('after', 'Invalid cursor');
			offset = Number(decoded[1]);
			snapshot = decoded[2];
		}
		// Insertion order stands for createdAt (and updatedAt): the sandbox keeps no separate clock.
		const listing = this.listings.rows(snapshot, () => {
			const rows = this.contacts().filter((contact) => (tag === null || contact.tags.has(tag)) && (status === null || contact.status === status) && (!email || contact.email === email));
			return direction === 'desc' ? rows.reverse() : rows;
		});
		const all = listing.rows;
		const page = all.slice(offset, offset + limit);
		const hasMore = offset + limit < all.length;
		return {
			status: 200,
			body: {
				contacts: page.map((contact) => ({
					id: contact.contactID,
					email: contact.email,
					identifiers: [{ type: 'email', id: contact.email, channels: { email: { status: contact.status, statusChangedAt: contact.statusDate } } }],
					status: contact.status,
					tags: [...contact.tags],
					createdAt: contact.createdAt,
				})),
				paging: {
					cursors: { after: hasMore ? Buffer.from(`offset:${offset + limit}:${listing.id}`).toString('base64url') : null, before: offset > 0 ? Buffer.from(`offset:${Math.max(0, offset - limit)}`).toString('base64url') : null },
					hasMore,
					limit,
				},
			},
		};
	}

	/** DELETE /contacts/tags: accepted at once, applied OMNISEND_UNTAG_MS later. */
	private removeTags(rawBody: Buffer): SandboxResponse {
		const json = parseJson(rawBody);
		if (!json.ok) return problem(400, 'Validation failed', `Invalid JSON: ${json.error}`);
		const parsed = removeTagsSchema.safeParse(json.value);
		if (!parsed.success) {
			const errors = parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), code: issue.code, message: issue.message }));
			return problem(400, 'Validation failed', 'Request is invalid', 'https://problems.omnisend.com/validation-failed', errors);
		}
		if (parsed.data.phones?.length || parsed.data.segmentID !== undefined) return problem(400, 'Validation failed', 'phones and segmentID are not modelled by the sandbox');
		this.tagRemovals++;
		const { tags, contactIDs = [], emails = [] } = parsed.data;
		const generation = this.generation;
		later(OMNISEND_UNTAG_MS / this.scale, () => {
			if (generation !== this.generation) return;
			const ids = new Set(contactIDs);
			const addresses = new Set(emails.map((email) => email.trim().toLowerCase()));
			// A union of the selectors; unknown addresses are ignored. Channel statuses are never touched.
			for (const contact of this.contacts()) {
				if (ids.has(contact.contactID) || addresses.has(contact.email)) for (const tag of tags) contact.tags.delete(tag);
			}
		});
		return { status: 202, contacts: emails.length + contactIDs.length };
	}

	private batchBody(batch: Batch) {
		const status = batch.status === 'pending' && Date.now() - batch.created > 50 / this.scale ? 'inProgress' : batch.status;
		return {
			batchID: batch.batchID,
			method: batch.method,
			endpoint: batch.endpoint,
			status,
			createdAt: batch.createdAt,
			totalCount: batch.totalCount,
			finishedCount: batch.finishedCount,
			errorsCount: batch.errorsCount,
		};
	}

	private listBatches(query: URLSearchParams): SandboxResponse {
		const endpoint = query.get('endpoint');
		if (!endpoint) return problem(400, 'Validation failed', 'endpoint is required', undefined, [{ field: 'endpoint', code: 'required', message: 'Required' }]);
		const limit = Math.min(250, Math.max(1, Number(query.get('limit') ?? 100)));
		const offset = Math.max(0, Number(query.get('offset') ?? 0));
		const status = query.get('status');
		const matching = this.batches
			.filter((batch) => batch.endpoint === endpoint)
			.map((batch) => this.batchBody(batch))
			.filter((batch) => !status || batch.status === status)
			.reverse();
		const page = matching.slice(offset, offset + limit);
		return { status: 200, body: { batches: page, paging: { limit, offset, ...(offset + limit < matching.length ? { next: `/batches?endpoint=${endpoint}&limit=${limit}&offset=${offset + limit}` } : {}) } } };
	}

	private createBatch(rawBody: Buffer): SandboxResponse {
		const json = parseJson(rawBody);
		if (!json.ok) return problem(400, 'Validation failed', `Invalid JSON: ${json.error}`);
		const parsed = batchSchema.safeParse(json.value);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return problem(400, 'Validation failed', 'Request is invalid', undefined, [{ field: issue.path.join('.'), code: issue.code, message: issue.message }]);
		}
		const now = Date.now();
		const batch: Batch = {
			batchID: objectId(),
			method: parsed.data.method,
			endpoint: parsed.data.endpoint,
			status: 'pending',
			createdAt: new Date(now).toISOString(),
			created: now,
			doneAt: now + (OMNISEND_BATCH_BASE_MS + parsed.data.items.length * OMNISEND_MS_PER_ITEM) / this.scale,
			totalCount: parsed.data.items.length,
			finishedCount: 0,
			errorsCount: 0,
			errors: [],
			responses: [],
		};
		this.batches.push(batch);
		const generation = this.generation;
		later(batch.doneAt - now, () => generation === this.generation && this.process(batch, parsed.data.items));
		return { status: 201, body: { batchID: batch.batchID, totalCount: batch.totalCount }, contacts: batch.totalCount };
	}

	private process(batch: Batch, items: unknown[]): void {
		for (const item of items) {
			if (batch.errorsCount >= this.forms.stopAfterErrors) {
				batch.status = 'stopped';
				return;
			}
			const itemID = objectId();
			// [RESP] validation problems list every invalid field: errors [{field, code, message}].
			const fail = (field: string, message: string) => {
				batch.errorsCount++;
				const response = { type: 'https://problems.omnisend.com/validation-failed', title: 'Validation failed', status: 400, detail: `${field}: ${message}`, errors: [{ field, code: 'invalid', message }] };
				batch.errors.push({ itemID, request: item, response, responseCode: 400, status: 'finished' });
			};
			const parsed = contactSchema.safeParse(item);
			if (!parsed.success) {
				const issue = parsed.error.issues[0];
				fail(issue.path.join('.'), issue.message);
				continue;
			}
			const tooLong = this.forms.fieldLengths ? Object.entries(INVENTED_LENGTHS).find(([key, max]) => String((parsed.data as Record<string, unknown>)[key] ?? '').length > max) : undefined;
			if (tooLong) {
				fail(tooLong[0], `String must contain at most ${tooLong[1]} character(s)`);
				continue;
			}
			const identifier = parsed.data.identifiers.find((candidate) => candidate.type === 'email');
			const email = identifier?.id.trim().toLowerCase() ?? '';
			if (!/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(email) || /\.invalid$/i.test(email)) {
				fail('identifiers.0.id', 'Must be a valid email address');
				continue;
			}
			let contact = this.contactsByEmail.get(email);
			const created = !contact;
			if (!contact) {
				contact = { contactID: objectId(), createdAt: new Date().toISOString(), email, status: 'nonSubscribed', statusDate: '1970-01-01T00:00:00Z', tags: new Set(), properties: {} };
				this.contactsByEmail.set(email, contact);
			}
			const channel = identifier?.channels?.email;
			if (channel) this.itemsWithStatus++;
			const changedAt = channel?.statusChangedAt ?? channel?.statusDate ?? new Date().toISOString();
			// The v3 rule (older status ignored) only under its switch; otherwise the status sent is the status.
			if (channel && (created || !this.forms.olderStatusIgnored || Date.parse(changedAt) >= Date.parse(contact.statusDate))) {
				contact.status = channel.status;
				contact.statusDate = changedAt;
			}
			if (created && identifier?.sendWelcomeMessage !== false) this.welcomeMessages++;
			const { identifiers: _identifiers, tags, customProperties, ...properties } = parsed.data;
			for (const tag of tags ?? []) contact.tags.add(tag);
			Object.assign(contact.properties, properties, customProperties ? { customProperties: { ...(contact.properties.customProperties as object), ...customProperties } } : {});
			batch.finishedCount++;
			const statuses = [{ channel: 'email', status: contact.status, [this.forms.statusField]: contact.statusDate }];
			batch.responses.push({ itemID, request: item, response: { contactID: contact.contactID, statuses }, responseCode: created ? 201 : 200, status: 'finished' });
		}
		batch.status = 'finished';
	}
}
