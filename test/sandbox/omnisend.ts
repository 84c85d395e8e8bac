import { randomBytes } from 'crypto';
import { z } from 'zod';

import type { SandboxRequest, SandboxResponse, ServiceModule } from './core';
import { later, parseJson, SlidingWindowLimiter } from './core';

/**
 * Omnisend (API version 2026-03-15) as the sandbox models it. Documented constants:
 * - Every request needs `Authorization: Omnisend-API-Key …` and `Omnisend-Version: 2026-03-15`.
 * - POST /batches takes 1–100 items, processed asynchronously: a batch finishes
 *   OMNISEND_BATCH_BASE_MS + OMNISEND_MS_PER_ITEM per item after it is accepted (modelled).
 * - 400 requests per minute per brand, every request counted, sliding window → 429 problem+json
 *   without Retry-After.
 * - A batch whose failed items pass OMNISEND_STOP_AFTER_ERRORS is stopped: the rest is not processed.
 * - Consent: an e-mail status whose statusDate is older than the one the contact holds is ignored.
 * - Request bodies over 2 MB are refused with 413 (no size is published; an assumption).
 */
export const OMNISEND_VERSION = '2026-03-15';
export const OMNISEND_MAX_ITEMS_PER_BATCH = 100;
export const OMNISEND_REQUESTS_PER_MINUTE = 400;
export const OMNISEND_BATCH_BASE_MS = 1_000;
export const OMNISEND_MS_PER_ITEM = 20;
export const OMNISEND_STOP_AFTER_ERRORS = 50;
export const OMNISEND_MAX_BODY_BYTES = 2_000_000;
export const OMNISEND_TEST_API_KEY = 'sandbox-omnisend-api-key-0001';

const statusSchema = z.enum(['subscribed', 'unsubscribed', 'nonSubscribed']);

export const contactSchema = z
	.object({
		identifiers: z
			.array(
				z
					.object({
						type: z.enum(['email', 'phone']),
						id: z.string(),
						channels: z.object({ email: z.object({ status: statusSchema, statusDate: z.string().datetime() }).strict() }).strict().optional(),
						sendWelcomeMessage: z.boolean().optional(),
					})
					.strict(),
			)
			.min(1),
		firstName: z.string().max(100).optional(),
		lastName: z.string().max(100).optional(),
		country: z.string().max(100).optional(),
		countryCode: z.string().regex(/^[A-Z]{2}$/).optional(),
		state: z.string().max(100).optional(),
		city: z.string().max(100).optional(),
		address: z.string().max(255).optional(),
		postalCode: z.string().max(20).optional(),
		gender: z.enum(['f', 'm']).optional(),
		birthdate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
		tags: z.array(z.string().min(1).max(100)).max(250).optional(),
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

export interface OmnisendContact {
	contactID: string;
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

	private contactsByEmail = new Map<string, OmnisendContact>();

	private batches: Batch[] = [];

	/** Requests that came without the version header (must stay 0). */
	requestsWithoutVersion = 0;

	constructor(private readonly scale: number) {
		this.perMinute = new SlidingWindowLimiter(OMNISEND_REQUESTS_PER_MINUTE, 60_000 / scale);
	}

	reset(): void {
		this.generation++;
		this.perMinute.reset();
		this.contactsByEmail = new Map();
		this.batches = [];
		this.requestsWithoutVersion = 0;
	}

	contacts(): OmnisendContact[] {
		return [...this.contactsByEmail.values()];
	}

	seed(email: string, status: OmnisendContact['status'], statusDate = new Date().toISOString()): void {
		this.contactsByEmail.set(email.toLowerCase(), { contactID: objectId(), email: email.toLowerCase(), status, statusDate, tags: new Set(), properties: {} });
	}

	snapshot() {
		return {
			contacts: this.contactsByEmail.size,
			batches: this.batches.length,
			stoppedBatches: this.batches.filter((batch) => batch.status === 'stopped').length,
			requestsWithoutVersion: this.requestsWithoutVersion,
			peakPerMinute: this.perMinute.peak,
		};
	}

	handle(request: SandboxRequest): SandboxResponse {
		const auth = request.headers.authorization;
		if (auth !== `Omnisend-API-Key ${OMNISEND_TEST_API_KEY}`) return problem(403, 'Forbidden', 'Invalid API key');
		if (request.headers['omnisend-version'] !== OMNISEND_VERSION) {
			this.requestsWithoutVersion++;
			return problem(400, 'Validation failed', `Header Omnisend-Version must be ${OMNISEND_VERSION}`);
		}
		if (!this.perMinute.take('brand', request.arrivedAt).allowed) return problem(429, 'Too Many Requests', 'Rate limit of 400 requests per minute exceeded', 'https://problems.omnisend.com/rate-limit-exceeded');
		const { method, path, query } = request;
		let match: RegExpMatchArray | null;
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
			if (batch.errorsCount >= OMNISEND_STOP_AFTER_ERRORS) {
				batch.status = 'stopped';
				return;
			}
			const itemID = objectId();
			const fail = (detail: string) => {
				batch.errorsCount++;
				batch.errors.push({ itemID, request: item, response: { type: 'https://problems.omnisend.com/problem', title: 'Validation failed', status: 400, detail }, responseCode: 400, status: 'finished' });
			};
			const parsed = contactSchema.safeParse(item);
			if (!parsed.success) {
				const issue = parsed.error.issues[0];
				fail(`${issue.path.join('.')}: ${issue.message}`);
				continue;
			}
			const identifier = parsed.data.identifiers.find((candidate) => candidate.type === 'email');
			const email = identifier?.id.trim().toLowerCase() ?? '';
			if (!/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(email) || /\.invalid$/i.test(email)) {
				fail('identifiers.0.id: Must be a valid email address');
				continue;
			}
			let contact = this.contactsByEmail.get(email);
			const created = !contact;
			if (!contact) {
				contact = { contactID: objectId(), email, status: 'nonSubscribed', statusDate: '1970-01-01T00:00:00Z', tags: new Set(), properties: {} };
				this.contactsByEmail.set(email, contact);
			}
			const channel = identifier?.channels?.email;
			// A status older than the one held is ignored: that is how a later opt-out survives an import.
			if (channel && (created || Date.parse(channel.statusDate) >= Date.parse(contact.statusDate))) {
				contact.status = channel.status;
				contact.statusDate = channel.statusDate;
			}
			const { identifiers: _identifiers, tags, customProperties, ...properties } = parsed.data;
			for (const tag of tags ?? []) contact.tags.add(tag);
			Object.assign(contact.properties, properties, customProperties ? { customProperties: { ...(contact.properties.customProperties as object), ...customProperties } } : {});
			batch.finishedCount++;
			batch.responses.push({ itemID, request: item, response: { contactID: contact.contactID }, responseCode: created ? 201 : 200, status: 'finished' });
		}
		batch.status = 'finished';
	}
}
