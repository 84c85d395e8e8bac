import type { DestinationRequest, DestinationResponse, MirrorSupport, RemovalOutcome, RemovalScope, RequestSender, TargetMember } from '../shared/adapter';
import { StopFailure } from '../shared/engine/errors';
import { answerFailure, unreadableAnswer } from '../shared/transport';
import { SERVICE_NAME } from './transport';

/**
 * Sync Mode Mirror for Omnisend (API 2026-03-15). Omnisend has no lists: the export's audience is its
 * tags, and a contact leaves it by losing them. Sources: Omnisend's contacts OpenAPI 2026-03-15
 * (api-docs.omnisend.com; copied in api-evangelist/omnisend, openapi/_original/omnisend-contacts-api-2026-03-15.json)
 * and the rate-limit page (api-docs.omnisend.com/v2026-03-15/reference/rate-limit-timeouts-errors).
 * - Read: GET /contacts?tag=…&limit=250 ("Range: 1-250"), then `after` = paging.cursors.after
 *   ("Opaque cursor for fetching the next page") while paging.hasMore; answer ListContactsResponse
 *   {contacts: [ContactResponse {id, email, identifiers, tags, …}], paging: {cursors: {after, before}, hasMore, limit}}.
 *   One tag per request (`tag` is a single string), so each tag is read apart and contacts are merged by address.
 * - Remove: DELETE /contacts/tags with RemoveTagsRequest {tags: [1–100], emails: [≤ 250]} → 202
 *   "Untagging accepted", no body and no job to follow: "Untagging is performed asynchronously, so the
 *   tags may not disappear immediately." "Emails and phones with no matching contact are silently
 *   ignored." 60 requests a minute (OMNISEND_LIMITS.removalRequestsPerMinute). Removing a tag changes
 *   no channel status: the request has no status field.
 * - Addresses are sent lower-cased, as the node exports them (e-mail identifiers are case-sensitive
 *   per the v5 guide; unconfirmed for 2026-03-15).
 */

/** "Range: 1-250" contacts a page (GET /contacts `limit`). */
const READ_PAGE_SIZE = 250;
/** RemoveTagsRequest.emails: maxItems 250. */
const EMAILS_PER_REMOVAL = 250;
/** RemoveTagsRequest.tags: minItems 1, maxItems 100. */
const MAX_TAGS_PER_REMOVAL = 100;
/** Pages read per tag at most: 5,000,000 contacts. */
const MAX_READ_PAGES = 20_000;

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class OmnisendMirror implements MirrorSupport {
	readonly maxMembersPerRemoval = EMAILS_PER_REMOVAL;

	/** A contact still in another segment loses the tag of a segment it left, where the node tags with segment names. */
	readonly removesStaleTags: boolean;

	constructor(
		private readonly fixedTags: readonly string[],
		private readonly tagWithSegments: boolean,
	) {
		this.removesStaleTags = tagWithSegments;
	}

	/** The tags the export gives its contacts: its fixed tags, and the segment names when it tags with them. */
	private targetTags(segmentTags: readonly string[]): string[] {
		return [...new Set([...this.fixedTags, ...(this.tagWithSegments ? segmentTags : [])].map((tag) => tag.trim()).filter(Boolean))];
	}

	async *readMembers(send: RequestSender, segmentTags: readonly string[]): AsyncIterable<TargetMember[]> {
		// Every contact this export sent carries all of its fixed tags, so the first one finds them all
		// (one read instead of one per tag; the target, and so the state, changes with the tags). Without
		// fixed tags, each segment name is read.
		const tags = this.fixedTags.length ? [this.fixedTags[0].trim()] : this.targetTags(segmentTags);
		const seen = tags.length > 1 ? new Set<string>() : undefined;
		for (const tag of tags) {
			let after: string | undefined;
			for (let page = 0; ; page++) {
				if (page >= MAX_READ_PAGES) throw new StopFailure(`Omnisend kept sending pages of the contacts tagged "${tag}" (more than ${MAX_READ_PAGES})`);
				const response = await send({ method: 'GET', path: '/contacts', qs: { tag, limit: READ_PAGE_SIZE, ...(after ? { after } : {}) } }, 'read');
				const { members, next } = readPage(response, tag);
				let fresh = members;
				if (seen) {
					fresh = members.filter((member) => !seen.has(member.email));
					for (const member of fresh) seen.add(member.email);
				}
				if (fresh.length) yield fresh;
				if (next !== undefined && next === after) throw new StopFailure(`Omnisend sent the same page of the contacts tagged "${tag}" twice`, undefined, response.statusCode);
				// A page without contacts ends the read, whatever its paging says.
				if (!next || !members.length) break;
				after = next;
			}
		}
	}

	buildRemovalRequest(members: readonly TargetMember[], scope: RemovalScope): DestinationRequest {
		const tags = scope.kind === 'staleTag' ? [scope.tag] : this.targetTags(scope.segmentTags);
		if (tags.length === 0) throw new StopFailure('Omnisend: there is no tag to remove');
		if (tags.length > MAX_TAGS_PER_REMOVAL) {
			throw new StopFailure(`Omnisend removes at most ${MAX_TAGS_PER_REMOVAL} tags per request; this export gives its contacts ${tags.length}`, 'Use fewer segments or fixed tags with Mirror.');
		}
		return { method: 'DELETE', path: '/contacts/tags', body: JSON.stringify({ tags, emails: members.map((member) => member.email) }) };
	}

	/** 202 without a body ("Untagging accepted"): done, with nothing to follow. Anything else is unreadable. */
	interpretRemovalResponse(response: DestinationResponse): RemovalOutcome {
		if (response.statusCode < 200 || response.statusCode >= 300) throw answerFailure(SERVICE_NAME, 'the tag removal', response);
		const body = response.body;
		const empty = body === undefined || body === null || (typeof body === 'string' && body.trim() === '');
		if (response.statusCode === 202 && empty) return { kind: 'done', failures: [] };
		throw unreadableAnswer(SERVICE_NAME, 'the tag removal', response);
	}
}

/**
 * One page of GET /contacts: its contacts with an e-mail address (phone-only contacts are skipped)
 * and the cursor of the next page. The address is ContactResponse.email ("Primary email address"),
 * else the e-mail identifier's id.
 */
function readPage(response: DestinationResponse, tag: string): { members: TargetMember[]; next?: string } {
	const what = `the read of the contacts tagged "${tag}"`;
	if (response.statusCode !== 200) {
		if (response.statusCode >= 200 && response.statusCode < 300) throw unreadableAnswer(SERVICE_NAME, what, response);
		throw answerFailure(SERVICE_NAME, what, response);
	}
	const body = response.body;
	if (!isObject(body) || !Array.isArray(body.contacts)) throw unreadableAnswer(SERVICE_NAME, what, response);
	const members: TargetMember[] = [];
	for (const contact of body.contacts as unknown[]) {
		if (!isObject(contact)) throw unreadableAnswer(SERVICE_NAME, what, response);
		const email = emailOf(contact);
		if (email === null) throw unreadableAnswer(SERVICE_NAME, what, response);
		if (email) members.push({ email });
	}
	const paging = body.paging;
	if (paging === undefined || paging === null) return { members };
	if (!isObject(paging) || (paging.hasMore !== undefined && typeof paging.hasMore !== 'boolean')) throw unreadableAnswer(SERVICE_NAME, what, response);
	const cursors = paging.cursors;
	if (cursors !== undefined && cursors !== null && !isObject(cursors)) throw unreadableAnswer(SERVICE_NAME, what, response);
	const after = isObject(cursors) ? cursors.after : undefined;
	if (after !== undefined && after !== null && typeof after !== 'string') throw unreadableAnswer(SERVICE_NAME, what, response);
	if (paging.hasMore === false) return { members };
	// More pages said to follow, and no cursor to reach them: the read would end short.
	if (paging.hasMore === true && !after) throw unreadableAnswer(SERVICE_NAME, what, response);
	return { members, next: after || undefined };
}

/** The contact's address, lower-cased; '' for a contact without one (phone only); null when the fields have another shape. */
function emailOf(contact: Record<string, unknown>): string | null {
	if (typeof contact.email === 'string' && contact.email.trim()) return contact.email.trim().toLowerCase();
	if (contact.email !== undefined && contact.email !== null && typeof contact.email !== 'string') return null;
	if (contact.identifiers === undefined || contact.identifiers === null) return '';
	if (!Array.isArray(contact.identifiers)) return null;
	for (const identifier of contact.identifiers as unknown[]) {
		if (!isObject(identifier)) return null;
		if (identifier.type === 'email' && typeof identifier.id === 'string' && identifier.id.trim()) return identifier.id.trim().toLowerCase();
	}
	return '';
}
