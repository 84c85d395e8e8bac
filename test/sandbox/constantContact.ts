import { randomBytes, randomUUID } from 'crypto';
import { z } from 'zod';

import type { SandboxRequest, SandboxResponse, ServiceModule } from './core';
import { basicAuth, later, parseJson, SlidingWindowLimiter, PagedSnapshots } from './core';

/**
 * Constant Contact (API v3) as the sandbox models it; contract notes in docs/destinations/constantcontact.md.
 * Sources:
 * [OAS] the v3 swagger (https://api.cc.email/v3/swagger.yaml; also the official generated client
 *       github.com/constantcontact/constant-contact-v3api-client-php, lib/Model)
 * [IMP] https://developer.constantcontact.com/api_guide/import_contacts.html
 * [RL]  https://developer.constantcontact.com/api_guide/rate_limits.html
 * [AUTH] https://developer.constantcontact.com/api_guide/server_flow.html and pkce_flow.html
 * - [IMP]/[OAS] contacts_json_import: at most 40,000 contacts and under 4 MB (read as 4,000,000 bytes);
 *   "If the request body exceeds 4 MB, this method only imports the first 4 MB and drops the remaining
 *   data" — the sandbox counts it so tests prove it never happens. 201 with an ActivityImport.
 * - [RL] 4 requests per second per application (window type undocumented: sliding here) → 429
 *   {"error_key":"throttled"}, no Retry-After is documented; 10,000 requests per day → 429
 *   {"error_key":"quota_exceeded"}.
 * - Imports are asynchronous: an activity completes CC_ACTIVITY_BASE_MS + CC_IMPORT_MS_PER_CONTACT per
 *   contact after it is accepted (modelled), and only then do contacts and list memberships change.
 *   [OAS] states: initialized, processing, completed, cancelled, failed, timed_out.
 * - [OAS] activity_errors of import activities are strings (forms.errorEntries: 'objects' gives the
 *   {message} form of generic activities); their "Line N: …" wording is the v2 format (unconfirmed).
 *   [OAS] status.correctable_count counts "invalid email address format, birthday or anniversary
 *   format error, or does not have minimal contact information", apart from error_count; whether
 *   correctable errors are listed in activity_errors is not documented: forms.correctableListed.
 * - [OAS] cannot_add_to_list_count: "previously unsubscribed contacts in the import".
 * - [OAS] contact_exports: POST {status: "unsubscribed"} → an activity whose _links.results.href
 *   gives the CSV file (its column names are not documented: "Email Address" here).
 * - [OAS] contact_lists and contact_custom_fields page with `_links.next` (a cursor); limits 1000
 *   (500 in the text) and 100. forms.maxPageSize makes the sandbox serve smaller pages.
 * - [AUTH] access tokens live 24 hours (forum answer, unconfirmed); refresh tokens may rotate (each
 *   good once: reusing a spent one revokes the whole grant). The token endpoint accepts the client
 *   secret by HTTP Basic; a refresh works for grants obtained by the code flow with or without PKCE.
 * - [OAS]/[SDK] GET /contacts: `lists` "one or more specified lists … up to a maximum of 25", `limit`
 *   "from 1 - 500, default = 50", `status` one or more of all, active, deleted, not_set,
 *   pending_confirmation, temp_hold, unsubscribed (without it: "all contacts that are not deleted"),
 *   `include` among custom_fields, list_memberships, taggings, notes, phone_numbers, street_addresses.
 *   Answer {contacts: [{contact_id, email_address: {address, permission_to_send}, …}], _links.next.href}.
 *   The next link carries only an opaque cursor holding the filters (the documented example cursor
 *   encodes limit and position; whether filters are repeated in the href is undocumented). Parameters
 *   outside the documented ones, or out of range, get 400 (modelled: the service's answer to unknown
 *   parameters is undocumented). forms.maxPageSize serves smaller pages.
 * - [OAS]/[SDK] POST /activities/remove_list_memberships {source: one of contact_ids ("up to 500"),
 *   list_ids (≤ 50), all_active_contacts, engagement_level, tag_ids; list_ids: target lists (≤ 50);
 *   exclude: {contact_ids} only with all_active_contacts or list_ids} → 201 ActivityListsMembership.
 *   (The swagger's "maxItems: 0" on these arrays is a spec bug, cc.md 7.2.) The activity removes the
 *   memberships CC_ACTIVITY_BASE_MS + CC_REMOVE_MS_PER_CONTACT per contact later (modelled) and never
 *   changes permission_to_send; an unknown contact_id becomes an activity error (wording modelled).
 *   Only the contact_ids and list_ids sources are modelled. forms.removalState 'failed' ends removal
 *   activities as failed.
 * - [SDK] [OAS] here also stands for the official client constant-contact-v3api-client-php
 *   (docs/Api/ContactsApi.md getAllContacts, docs/Api/BulkActivitiesApi.md createListRemoveActivity).
 * - [OAS] field lengths from JsonImportContact (email 50, first_name 50, street 255, cf: 255, …);
 *   longer values fail that contact with an activity error (what the service does is undocumented).
 *   [IMP] at most 25 custom fields per contact.
 */
export const CC_MAX_CONTACTS_PER_IMPORT = 40_000;
export const CC_MAX_IMPORT_BYTES = 4_000_000;
export const CC_REQUESTS_PER_SECOND = 4;
export const CC_REQUESTS_PER_DAY = 10_000;
export const CC_ACTIVITY_BASE_MS = 2_000;
export const CC_IMPORT_MS_PER_CONTACT = 0.5;
export const CC_REMOVE_MS_PER_CONTACT = 0.5;
export const CC_CONTACTS_PER_REMOVAL = 500;
export const CC_LISTS_PER_CONTACTS_READ = 25;
export const CC_CONTACTS_PAGE_MAX = 500;
export const CC_ACCESS_TOKEN_SECONDS = 86_400;
export const CC_CLIENT_ID = 'sandbox-cc-client-id';
export const CC_CLIENT_SECRET = 'sandbox-cc-client-secret';
export const CC_AUTHORIZATION_CODE = 'sandbox-cc-authorization-code';

const FIELD_LENGTHS: Record<string, number> = {
	email: 50,
	first_name: 50,
	last_name: 50,
	job_title: 50,
	company_name: 50,
	phone: 50,
	street: 255,
	street2: 255,
	city: 50,
	state: 50,
	zip: 50,
	country: 50,
};
const CUSTOM_FIELD_LENGTH = 255;
const MAX_CUSTOM_FIELDS_PER_CONTACT = 25;

export const importContactSchema = z
	.object({
		email: z.string(),
		first_name: z.string().optional(),
		last_name: z.string().optional(),
		job_title: z.string().optional(),
		company_name: z.string().optional(),
		birthday_month: z.number().int().min(1).max(12).optional(),
		birthday_day: z.number().int().min(1).max(31).optional(),
		anniversary: z.string().optional(),
		phone: z.string().optional(),
		street: z.string().optional(),
		street2: z.string().optional(),
		city: z.string().optional(),
		state: z.string().optional(),
		zip: z.string().optional(),
		country: z.string().optional(),
	})
	.catchall(z.string())
	.superRefine((contact, context) => {
		for (const key of Object.keys(contact)) {
			if (!(key in importContactSchema.innerType().shape) && !key.startsWith('cf:')) {
				context.addIssue({ code: z.ZodIssueCode.custom, message: `Unrecognized key: ${key}` });
			}
		}
	});

export const importSchema = z
	.object({
		import_data: z.array(importContactSchema).min(1).max(CC_MAX_CONTACTS_PER_IMPORT),
		list_ids: z.array(z.string().uuid()).min(1).max(50),
	})
	.strict();

const uuid = z.string().uuid();

/** [OAS] ListActivityRemoveContacts: `source` takes exactly one kind of selection. */
export const removeListMembershipsSchema = z
	.object({
		source: z
			.object({
				contact_ids: z.array(uuid).min(1).max(CC_CONTACTS_PER_REMOVAL).optional(),
				list_ids: z.array(uuid).min(1).max(50).optional(),
				all_active_contacts: z.boolean().optional(),
				engagement_level: z.string().optional(),
				tag_ids: z.array(uuid).min(1).max(50).optional(),
			})
			.strict()
			.refine((source) => Object.keys(source).length === 1, { message: 'source takes exactly one of contact_ids, list_ids, all_active_contacts, engagement_level, tag_ids' }),
		list_ids: z.array(uuid).min(1).max(50),
		exclude: z.object({ contact_ids: z.array(uuid).min(1) }).strict().optional(),
	})
	.strict()
	.refine((body) => !body.exclude || body.source.all_active_contacts !== undefined || body.source.list_ids !== undefined, {
		message: 'exclude is allowed only with source all_active_contacts or list_ids',
		path: ['exclude'],
	});

const CONTACT_STATUSES = ['all', 'active', 'deleted', 'not_set', 'pending_confirmation', 'temp_hold', 'unsubscribed'];
const CONTACT_INCLUDES = ['custom_fields', 'list_memberships', 'taggings', 'notes', 'phone_numbers', 'street_addresses'];
const CONTACTS_QUERY = new Set(['status', 'email', 'lists', 'segment_id', 'tags', 'updated_after', 'updated_before', 'created_after', 'created_before', 'optout_after', 'optout_before', 'include', 'sms_status', 'include_count', 'limit', 'cursor']);

export interface CcContact {
	contact_id: string;
	email: string;
	/** implicit, explicit, unsubscribed, … as email_address.permission_to_send */
	permission: string;
	fields: Record<string, string | number>;
	customFields: Record<string, string>;
	lists: Set<string>;
	updatedAt: string;
}

interface Activity {
	activity_id: string;
	state: 'initialized' | 'processing' | 'completed' | 'failed';
	createdAt: number;
	doneAt: number;
	total: number;
	errors: string[];
	errorCount: number;
	correctableCount: number;
	cannotAddToList: number;
	listCount: number;
	/** A contact export: the CSV served at its results link. */
	csv?: string;
	/** A removal from lists (remove_list_memberships). */
	removal?: boolean;
}

/** Answer forms the documents leave open: one switch per form. */
export interface CcForms {
	errorEntries: 'strings' | 'objects';
	/** Whether correctable errors are listed in activity_errors too. */
	correctableListed: boolean;
	/** Largest page served for contact_lists, contact_custom_fields and contacts. */
	maxPageSize: number;
	/** How removal activities end: 'failed' models a documented terminal failure. */
	removalState: 'completed' | 'failed';
}

export const CC_DEFAULT_FORMS: CcForms = { errorEntries: 'strings', correctableListed: true, maxPageSize: 1000, removalState: 'completed' };

/** MODELLED: Constant Contact does not publish its address rule; a refusal is a correctable error ([OAS]). */
function acceptsEmail(email: string): boolean {
	return /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i.test(email) && !/\.invalid$/i.test(email);
}

function token(prefix: string): string {
	return `${prefix}-${randomBytes(12).toString('hex')}`;
}

export class ConstantContactSandbox implements ServiceModule {
	/** Bumped by reset(): work scheduled before a reset must not touch the new state. */
	private generation = 0;

	readonly prefix = '/cc';

	readonly name = 'constantContact';

	/** Bodies past 4 MB are read whole: the sandbox drops the excess itself, as the service does. */
	readonly maxBodyBytes = 64_000_000;

	private readonly perSecond: SlidingWindowLimiter;

	private requestsToday = 0;

	private accessTokens = new Map<string, number>();

	private refreshTokens = new Map<string, 'valid' | 'spent'>();

	private contactsByEmail = new Map<string, CcContact>();

	private activities = new Map<string, Activity>();

	readonly lists = [
		{ list_id: '6f1c2a10-0000-4000-8000-000000000001', name: 'Newsletter' },
		{ list_id: '6f1c2a10-0000-4000-8000-000000000002', name: 'VIP Customers' },
		{ list_id: '6f1c2a10-0000-4000-8000-000000000003', name: 'Events' },
	];

	readonly customFields = [
		{ custom_field_id: '9a8b7c6d-0000-4000-8000-000000000001', label: 'Loyalty Tier', name: 'loyalty_tier', type: 'string' },
		{ custom_field_id: '9a8b7c6d-0000-4000-8000-000000000002', label: 'Segments', name: 'segments', type: 'string' },
	];

	/** Bytes past 4 MB that were dropped, and imports that reached 4 MB: both must stay 0. */
	silentlyDroppedContacts = 0;

	oversizedImports = 0;

	forms: CcForms = { ...CC_DEFAULT_FORMS };

	/** Requests made for the unsubscribed look-up (contact exports, their activities and files). */
	exportRequests = 0;

	/** Refresh grants served, and spent refresh tokens presented again. */
	refreshes = 0;

	refreshTokenReuse = 0;

	/** `accessTokenSeconds` shorter than the service's makes refreshes happen within a short run (queue-mode test). */
	constructor(
		private readonly scale: number,
		private readonly accessTokenSeconds = CC_ACCESS_TOKEN_SECONDS,
	) {
		this.perSecond = new SlidingWindowLimiter(CC_REQUESTS_PER_SECOND, 1000 / scale);
	}

	/** Filtered lists behind paged reads of contacts, one per read. */
	private readonly listings = new PagedSnapshots<CcContact>();

	reset(): void {
		this.listings.clear();
		this.generation++;
		this.perSecond.reset();
		this.requestsToday = 0;
		this.accessTokens = new Map();
		this.refreshTokens = new Map();
		this.contactsByEmail = new Map();
		this.activities = new Map();
		this.silentlyDroppedContacts = 0;
		this.oversizedImports = 0;
		this.refreshes = 0;
		this.refreshTokenReuse = 0;
		this.forms = { ...CC_DEFAULT_FORMS };
		this.exportRequests = 0;
		this.customFields.splice(2);
	}

	/** Adds custom fields to the account (up to 100, [OAS] "A user can configure up to 100 custom_fields"). */
	addCustomFields(count: number): void {
		for (let index = 0; index < count; index++) {
			const number = this.customFields.length + 1;
			this.customFields.push({ custom_field_id: `9a8b7c6d-0000-4000-8000-${String(number).padStart(12, '0')}`, label: `Extra ${number}`, name: `extra_${number}`, type: 'string' });
		}
	}

	/** Tokens as the authorization-code flow would give them to n8n. */
	issueTokens(): { access_token: string; refresh_token: string; token_type: string; expires_in: number; scope: string } {
		const access = token('cc-access');
		const refresh = token('cc-refresh');
		this.accessTokens.set(access, Date.now() + this.accessTokenSeconds * 1000);
		this.refreshTokens.set(refresh, 'valid');
		return { access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: this.accessTokenSeconds, scope: 'contact_data offline_access account_read' };
	}

	expireTokens(): void {
		for (const key of this.accessTokens.keys()) this.accessTokens.set(key, 0);
	}

	/** Spends the daily quota, to test quota_exceeded. */
	exhaustDailyQuota(remaining = 0): void {
		this.requestsToday = CC_REQUESTS_PER_DAY - remaining;
	}

	contacts(): CcContact[] {
		return [...this.contactsByEmail.values()];
	}

	listMembers(listId: string): CcContact[] {
		return this.contacts().filter((contact) => contact.lists.has(listId));
	}

	contact(email: string): CcContact | undefined {
		return this.contactsByEmail.get(email.toLowerCase());
	}

	seed(email: string, permission = 'implicit', lists: string[] = []): void {
		this.contactsByEmail.set(email.toLowerCase(), {
			contact_id: randomUUID(),
			email: email.toLowerCase(),
			permission,
			fields: {},
			customFields: {},
			lists: new Set(lists),
			updatedAt: new Date().toISOString(),
		});
	}

	snapshot() {
		return {
			contacts: this.contactsByEmail.size,
			lists: this.lists.map((list) => ({ ...list, members: this.listMembers(list.list_id).length })),
			activities: this.activities.size,
			silentlyDroppedContacts: this.silentlyDroppedContacts,
			oversizedImports: this.oversizedImports,
			peakPerSecond: this.perSecond.peak,
			refreshes: this.refreshes,
			refreshTokenReuse: this.refreshTokenReuse,
			validRefreshTokens: [...this.refreshTokens.values()].filter((state) => state === 'valid').length,
		};
	}

	handle(request: SandboxRequest): SandboxResponse {
		if (request.path === '/oauth2/default/v1/token') return this.tokenEndpoint(request);
		if (request.path === '/oauth2/default/v1/authorize' && request.method === 'GET') return this.authorizePage(request);
		if (!request.path.startsWith('/v3/')) return { status: 404, body: { error_key: 'not_found', error_message: 'Not found' } };

		const bearer = request.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
		const expiresAt = bearer ? this.accessTokens.get(bearer) : undefined;
		if (!bearer || expiresAt === undefined || expiresAt <= Date.now()) {
			return { status: 401, body: [{ error_key: 'unauthorized', error_message: 'Unauthorized' }] };
		}
		if (this.requestsToday >= CC_REQUESTS_PER_DAY) {
			return { status: 429, body: { error_key: 'quota_exceeded', error_message: 'Daily request quota exceeded' } };
		}
		if (!this.perSecond.take('app', request.arrivedAt).allowed) {
			return { status: 429, body: { error_key: 'throttled', error_message: 'Too many requests: 4 per second' } };
		}
		this.requestsToday++;
		return this.route(request, request.path.slice(3));
	}

	/**
	 * The authorization step of the authorization code flow (developer.constantcontact.com/api_guide/
	 * server_flow.html: the user signs in and allows access, then Constant Contact redirects to the
	 * redirect URI with `code` and `state`). The sandbox has no users: its page has one button that
	 * allows access, so a sandbox credential can be reconnected from n8n's editor.
	 */
	private authorizePage(request: SandboxRequest): SandboxResponse {
		const { query } = request;
		const redirect = query.get('redirect_uri');
		if (query.get('client_id') !== CC_CLIENT_ID || !redirect || query.get('response_type') !== 'code') {
			return { status: 400, rawBody: '<!doctype html><title>Sandbox</title><p>Unknown client_id, or no redirect_uri / response_type=code.</p>', headers: { 'content-type': 'text/html; charset=utf-8' } };
		}
		const target = new URL(redirect);
		target.searchParams.set('code', CC_AUTHORIZATION_CODE);
		const state = query.get('state');
		if (state !== null) target.searchParams.set('state', state);
		const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
		const page = `<!doctype html><meta charset="utf-8"><title>Constant Contact sandbox: allow access</title>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Constant Contact sandbox</h1>
<p>An application asks for access to the sandbox account (scopes: ${escape(query.get('scope') ?? '')}).</p>
<p><a id="allow" href="${escape(target.toString())}" style="padding: .6em 1.2em; background: #1856ed; color: #fff; text-decoration: none; border-radius: 4px">Allow access</a></p>
</body>`;
		return { status: 200, rawBody: page, headers: { 'content-type': 'text/html; charset=utf-8' } };
	}

	private tokenEndpoint(request: SandboxRequest): SandboxResponse {
		const form = new URLSearchParams(request.rawBody.toString('utf8'));
		const basic = basicAuth(request.headers);
		const clientId = basic?.user ?? form.get('client_id');
		const clientSecret = basic?.password ?? form.get('client_secret');
		if (clientId !== CC_CLIENT_ID || (clientSecret && clientSecret !== CC_CLIENT_SECRET)) {
			return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
		}
		const grant = form.get('grant_type');
		if (grant === 'authorization_code' && form.get('code') === CC_AUTHORIZATION_CODE) return { status: 200, body: this.issueTokens() };
		if (grant === 'refresh_token') {
			const presented = form.get('refresh_token') ?? '';
			const state = this.refreshTokens.get(presented);
			if (state === 'spent') {
				// Reuse of a rotated token: revoke everything, as a rotating-token server must.
				this.refreshTokenReuse++;
				this.accessTokens.clear();
				this.refreshTokens.clear();
			}
			if (state !== 'valid') return { status: 400, body: { error: 'invalid_grant', error_description: 'The refresh token is invalid or expired.' } };
			this.refreshTokens.set(presented, 'spent');
			this.refreshes++;
			return { status: 200, body: this.issueTokens() };
		}
		return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Grant ${grant} is not supported` } };
	}

	private route(request: SandboxRequest, path: string): SandboxResponse {
		const { method, query } = request;
		let match: RegExpMatchArray | null;
		if (method === 'GET' && path === '/account/summary') return { status: 200, body: { encoded_account_id: 'sandbox-account', organization_name: 'Sandbox Retail' } };
		if (method === 'GET' && path === '/contact_lists') {
			return this.page('lists', '/v3/contact_lists', this.lists.map((list) => ({ ...list, membership_count: this.listMembers(list.list_id).length })), query, 1000);
		}
		if (method === 'GET' && path === '/contact_custom_fields') return this.page('custom_fields', '/v3/contact_custom_fields', this.customFields, query, 100);
		if (method === 'POST' && path === '/activities/contact_exports') return this.exportContacts(request.rawBody);
		if (method === 'GET' && (match = path.match(/^\/contact_exports\/([^/]+)$/))) {
			const activity = this.activities.get(match[1]);
			this.exportRequests++;
			if (!activity?.csv || activity.state !== 'completed') return { status: 404, body: [{ error_key: 'not_found', error_message: 'Export file not found' }] };
			return { status: 200, rawBody: activity.csv, headers: { 'content-type': 'text/csv' } };
		}
		if (method === 'GET' && path === '/contacts') return this.listContacts(query);
		if (method === 'POST' && path === '/activities/contacts_json_import') return this.import(request.rawBody);
		if (method === 'POST' && path === '/activities/remove_list_memberships') return this.removeListMemberships(request.rawBody);
		if (method === 'GET' && path === '/activities') {
			// The collection of the last 10 days, newest first; each entry as GET /activities/{id} has it
			// (an assumption: the reference shows the same activity objects in the collection).
			const limit = Math.min(500, Math.max(1, Number(query.get('limit') ?? 50)));
			return { status: 200, body: { activities: [...this.activities.values()].reverse().slice(0, limit).map((activity) => this.activityBody(activity)) } };
		}
		if (method === 'GET' && (match = path.match(/^\/activities\/([^/]+)$/))) {
			const activity = this.activities.get(match[1]);
			if (activity?.csv !== undefined) this.exportRequests++;
			if (!activity) return { status: 404, body: [{ error_key: 'not_found', error_message: 'Activity not found' }] };
			return { status: 200, body: this.activityBody(activity) };
		}
		return { status: 404, body: [{ error_key: 'not_found', error_message: `No route for ${method} ${path}` }] };
	}

	/** One page of a collection, `_links.next` carrying the cursor while more remain ([OAS] PagingLinks). */
	private page(key: string, path: string, all: unknown[], query: URLSearchParams, maxLimit: number): SandboxResponse {
		const limit = Math.min(maxLimit, this.forms.maxPageSize, Math.max(1, Number(query.get('limit') ?? 50)));
		const offset = Number(Buffer.from(query.get('cursor') ?? '', 'base64url').toString('utf8').replace(/^offset=/, '')) || 0;
		const next = offset + limit < all.length ? { _links: { next: { href: `${path}?cursor=${Buffer.from(`offset=${offset + limit}`).toString('base64url')}` } } } : {};
		return { status: 200, body: { [key]: all.slice(offset, offset + limit), ...(key === 'lists' ? { lists_count: all.length } : {}), ...next } };
	}

	/** A contact export of the unsubscribed contacts, as a CSV file once its activity completes. */
	private exportContacts(rawBody: Buffer): SandboxResponse {
		this.exportRequests++;
		const json = parseJson(rawBody);
		const status = json.ok ? (json.value as { status?: string }).status : undefined;
		const chosen = this.contacts().filter((contact) => status === undefined || status === 'all' || (status === 'unsubscribed') === (contact.permission === 'unsubscribed'));
		const now = Date.now();
		const activity: Activity = {
			activity_id: randomUUID(),
			state: 'initialized',
			createdAt: now,
			doneAt: now + CC_ACTIVITY_BASE_MS / this.scale,
			total: chosen.length,
			errors: [],
			errorCount: 0,
			correctableCount: 0,
			cannotAddToList: 0,
			listCount: 0,
			csv: ['Email Address,First Name,Last Name', ...chosen.map((contact) => `${contact.email},${String(contact.fields.first_name ?? '')},`)].join('\r\n'),
		};
		this.activities.set(activity.activity_id, activity);
		const generation = this.generation;
		later(activity.doneAt - now, () => {
			if (generation === this.generation) activity.state = 'completed';
		});
		return { status: 201, body: this.activityBody(activity) };
	}

	/** GET /contacts with the documented filters this sandbox models (status, lists), cursor-paged. */
	private listContacts(query: URLSearchParams): SandboxResponse {
		const refuse = (message: string): SandboxResponse => ({ status: 400, body: [{ error_key: 'query.param.invalid', error_message: message }] });
		let params = query;
		const cursor = query.get('cursor');
		if (cursor !== null) {
			// The cursor holds the filters and the position; a cursor that is not ours is refused.
			try {
				params = new URLSearchParams(Buffer.from(cursor, 'base64url').toString('utf8'));
			} catch {
				return refuse('cursor is invalid');
			}
			if (!params.has('offset')) return refuse('cursor is invalid');
		}
		for (const key of query.keys()) if (!CONTACTS_QUERY.has(key)) return refuse(`Unknown query parameter: ${key}`);
		const limit = Number(params.get('limit') ?? 50);
		if (!Number.isInteger(limit) || limit < 1 || limit > CC_CONTACTS_PAGE_MAX) return refuse('limit must be an integer from 1 - 500');
		const statuses = (params.get('status') ?? '').split(',').filter(Boolean);
		if (statuses.some((status) => !CONTACT_STATUSES.includes(status))) return refuse(`status must be among ${CONTACT_STATUSES.join(', ')}`);
		const include = (params.get('include') ?? '').split(',').filter(Boolean);
		if (include.some((name) => !CONTACT_INCLUDES.includes(name))) return refuse(`include must be among ${CONTACT_INCLUDES.join(', ')}`);
		const lists = params.has('lists') ? (params.get('lists') ?? '').split(',') : undefined;
		if (lists && (lists.length > CC_LISTS_PER_CONTACTS_READ || lists.some((id) => !uuid.safeParse(id).success))) return refuse(`lists takes up to ${CC_LISTS_PER_CONTACTS_READ} list_id values`);
		const statusOf = (contact: CcContact) => (contact.permission === 'unsubscribed' ? 'unsubscribed' : 'active');
		const listing = this.listings.rows(params.get('snapshot'), () =>
			this.contacts().filter((contact) => (statuses.length === 0 || statuses.includes('all') || statuses.includes(statusOf(contact))) && (!lists || lists.some((id) => contact.lists.has(id)))),
		);
		const all = listing.rows;
		const size = Math.min(limit, this.forms.maxPageSize);
		const offset = Number(params.get('offset') ?? 0);
		const page = all.slice(offset, offset + size);
		let next: string | undefined;
		if (offset + size < all.length) {
			const carried = new URLSearchParams(params);
			carried.set('offset', String(offset + size));
			carried.set('snapshot', listing.id);
			next = `/v3/contacts?cursor=${Buffer.from(carried.toString()).toString('base64url')}`;
		}
		return {
			status: 200,
			body: {
				contacts: page.map((contact) => ({
					contact_id: contact.contact_id,
					email_address: { address: contact.email, permission_to_send: contact.permission },
					updated_at: contact.updatedAt,
					...(include.includes('list_memberships') ? { list_memberships: [...contact.lists] } : {}),
				})),
				...(next ? { _links: { next: { href: next } } } : {}),
			},
		};
	}

	/** POST /activities/remove_list_memberships: an activity that takes contacts out of lists, later. */
	private removeListMemberships(rawBody: Buffer): SandboxResponse {
		const json = parseJson(rawBody);
		if (!json.ok) return { status: 400, body: [{ error_key: 'malformed_json', error_message: json.error }] };
		const parsed = removeListMembershipsSchema.safeParse(json.value);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return { status: 400, body: [{ error_key: 'json.field.invalid', error_message: `#/${issue.path.join('/')}: ${issue.message}` }] };
		}
		const { source, list_ids: listIds } = parsed.data;
		const known = new Set(this.lists.map((list) => list.list_id));
		const unknown = [...listIds, ...(source.list_ids ?? [])].find((id) => !known.has(id));
		if (unknown) return { status: 400, body: [{ error_key: 'list.not_found', error_message: `List ${unknown} does not exist` }] };
		if (!source.contact_ids && !source.list_ids) return { status: 400, body: [{ error_key: 'sandbox.not_modelled', error_message: 'The sandbox models only the contact_ids and list_ids sources' }] };
		const now = Date.now();
		const total = source.contact_ids?.length ?? 0;
		const activity: Activity = {
			activity_id: randomUUID(),
			state: 'initialized',
			createdAt: now,
			doneAt: now + (CC_ACTIVITY_BASE_MS + total * CC_REMOVE_MS_PER_CONTACT) / this.scale,
			total,
			errors: [],
			errorCount: 0,
			correctableCount: 0,
			cannotAddToList: 0,
			listCount: listIds.length,
			removal: true,
		};
		this.activities.set(activity.activity_id, activity);
		const generation = this.generation;
		later(activity.doneAt - now, () => {
			if (generation !== this.generation) return;
			if (this.forms.removalState === 'failed') {
				activity.state = 'failed';
				return;
			}
			const byId = new Map(this.contacts().map((contact) => [contact.contact_id, contact]));
			const chosen = source.contact_ids
				? source.contact_ids.map((id) => {
						const contact = byId.get(id);
						if (!contact) {
							activity.errorCount++;
							activity.errors.push(`contact_id ${id} not found`);
						}
						return contact;
					})
				: this.contacts().filter((contact) => source.list_ids!.some((id) => contact.lists.has(id)) && !parsed.data.exclude?.contact_ids.includes(contact.contact_id));
			// Only memberships change: permission_to_send (the opt-out) is never touched.
			for (const contact of chosen) for (const id of listIds) contact?.lists.delete(id);
			activity.state = 'completed';
		});
		return { status: 201, body: this.activityBody(activity), contacts: total };
	}

	private import(rawBody: Buffer): SandboxResponse {
		let body = rawBody;
		if (body.length >= CC_MAX_IMPORT_BYTES) {
			// The service keeps the first 4 MB and drops the rest without a word.
			this.oversizedImports++;
			body = body.subarray(0, CC_MAX_IMPORT_BYTES);
			const text = body.toString('utf8');
			const lastComplete = text.lastIndexOf('},{');
			const kept = `${text.slice(0, lastComplete + 1)}],"list_ids":${JSON.stringify((JSON.parse(rawBody.toString('utf8')) as { list_ids: string[] }).list_ids)}}`;
			const total = (JSON.parse(rawBody.toString('utf8')) as { import_data: unknown[] }).import_data.length;
			body = Buffer.from(kept);
			this.silentlyDroppedContacts += total - (JSON.parse(kept) as { import_data: unknown[] }).import_data.length;
		}
		const json = parseJson(body);
		if (!json.ok) return { status: 400, body: [{ error_key: 'malformed_json', error_message: json.error }] };
		const parsed = importSchema.safeParse(json.value);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return { status: 400, body: [{ error_key: 'json.field.invalid', error_message: `#/${issue.path.join('/')}: ${issue.message}` }] };
		}
		const known = new Set(this.lists.map((list) => list.list_id));
		const unknown = parsed.data.list_ids.find((id) => !known.has(id));
		if (unknown) return { status: 400, body: [{ error_key: 'list.not_found', error_message: `List ${unknown} does not exist` }] };

		const now = Date.now();
		const activity: Activity = {
			activity_id: randomUUID(),
			state: 'initialized',
			createdAt: now,
			doneAt: now + (CC_ACTIVITY_BASE_MS + parsed.data.import_data.length * CC_IMPORT_MS_PER_CONTACT) / this.scale,
			total: parsed.data.import_data.length,
			errors: [],
			errorCount: 0,
			correctableCount: 0,
			cannotAddToList: 0,
			listCount: parsed.data.list_ids.length,
		};
		this.activities.set(activity.activity_id, activity);
		const generation = this.generation;
		later(activity.doneAt - now, () => generation === this.generation && this.complete(activity, parsed.data.import_data, parsed.data.list_ids));
		return { status: 201, body: this.activityBody(activity), contacts: activity.total };
	}

	private complete(activity: Activity, contacts: Array<Record<string, string | number | undefined>>, listIds: string[]): void {
		const customNames = new Set(this.customFields.map((field) => field.name));
		contacts.forEach((input, index) => {
			const line = index + 1;
			const email = String(input.email).trim().toLowerCase();
			const fail = (message: string, correctable = false) => {
				if (correctable) activity.correctableCount++;
				else activity.errorCount++;
				if (!correctable || this.forms.correctableListed) activity.errors.push(`Line ${line}: ${message}`);
			};
			// [OAS] an invalid e-mail format is a correctable error.
			if (!acceptsEmail(email)) return fail(`email address is invalid: ${input.email}`, true);
			const custom = Object.keys(input).filter((key) => key.startsWith('cf:'));
			if (custom.length > MAX_CUSTOM_FIELDS_PER_CONTACT) return fail(`more than ${MAX_CUSTOM_FIELDS_PER_CONTACT} custom fields`);
			const missing = custom.find((key) => !customNames.has(key.slice(3)));
			if (missing) return fail(`custom field ${missing.slice(3)} does not exist`);
			for (const [key, value] of Object.entries(input)) {
				const max = key.startsWith('cf:') ? CUSTOM_FIELD_LENGTH : FIELD_LENGTHS[key];
				if (max !== undefined && String(value).length > max) return fail(`${key} is longer than ${max} characters`);
			}
			let contact = this.contactsByEmail.get(email);
			if (!contact) {
				contact = { contact_id: randomUUID(), email, permission: 'implicit', fields: {}, customFields: {}, lists: new Set(), updatedAt: '' };
				this.contactsByEmail.set(email, contact);
			}
			for (const [key, value] of Object.entries(input)) {
				if (key === 'email' || value === undefined) continue;
				if (key.startsWith('cf:')) contact.customFields[key.slice(3)] = String(value);
				else contact.fields[key] = value;
			}
			contact.updatedAt = new Date().toISOString();
			// [OAS] cannot_add_to_list_count: unsubscribed contacts are not added to lists; whether their
			// other properties are updated is not documented (modelled: they are).
			if (contact.permission === 'unsubscribed') activity.cannotAddToList++;
			else for (const listId of listIds) contact.lists.add(listId);
		});
		activity.state = 'completed';
	}

	private activityBody(activity: Activity) {
		const now = Date.now();
		const done = activity.state === 'completed';
		if (activity.csv !== undefined) {
			return {
				activity_id: activity.activity_id,
				state: done ? 'completed' : 'processing',
				created_at: new Date(activity.createdAt).toISOString(),
				percent_done: done ? 100 : 50,
				activity_errors: [],
				status: { items_total_count: activity.total, items_completed_count: done ? activity.total : 0 },
				_links: { self: { href: `/v3/activities/${activity.activity_id}` }, ...(done ? { results: { href: `/v3/contact_exports/${activity.activity_id}` } } : {}) },
			};
		}
		const state = done || activity.state === 'failed' ? activity.state : now - activity.createdAt > 50 / this.scale ? 'processing' : 'initialized';
		const percent = done ? 100 : Math.min(99, Math.floor(((now - activity.createdAt) / (activity.doneAt - activity.createdAt)) * 100));
		return {
			activity_id: activity.activity_id,
			state,
			created_at: new Date(activity.createdAt).toISOString(),
			percent_done: percent,
			activity_errors: done ? (this.forms.errorEntries === 'strings' ? activity.errors : activity.errors.map((message) => ({ message }))) : [],
			status: {
				items_total_count: activity.total,
				items_completed_count: done ? activity.total : Math.floor((activity.total * percent) / 100),
				error_count: done ? activity.errorCount : 0,
				correctable_count: done ? activity.correctableCount : 0,
				cannot_add_to_list_count: done ? activity.cannotAddToList : 0,
				list_count: activity.listCount,
			},
			_links: { self: { href: `/v3/activities/${activity.activity_id}` } },
		};
	}
}
