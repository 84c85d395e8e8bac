import type {
	DestinationRequest,
	DestinationResponse,
	MirrorSupport,
	RemovalFailure,
	RemovalJobStatus,
	RemovalOutcome,
	RemovalScope,
	RequestSender,
	TargetMember,
} from '../shared/adapter';
import { StopFailure } from '../shared/engine/errors';
import { answerFailure, unreadableAnswer } from '../shared/transport';
import { nextPage, SERVICE_NAME } from './transport';

/**
 * Sync Mode Mirror for Constant Contact v3. Sources (v3 swagger, api.cc.email/v3/swagger.yaml, and the
 * official client constant-contact-v3api-client-php, docs/Api/ContactsApi.md, BulkActivitiesApi.md):
 * - Read: GET /contacts?lists=…&limit=500. `lists`: "members of one or more specified lists … up to a
 *   maximum of 25"; `limit` "from 1 - 500"; without `status` "all contacts that are not deleted". The
 *   answer is {contacts: [{contact_id, email_address: {address}, …}], _links: {next: {href}}}, the next
 *   page's cursor in `_links.next.href` (relative to the API host), absent on the last page.
 * - Remove: POST /activities/remove_list_memberships {source: {contact_ids: [≤ 500]}, list_ids: [≤ 50]}
 *   ("creates an activity that removes contacts from one or more contact lists") → 201
 *   ActivityListsMembership {activity_id, state, …}, then GET /activities/{id} until it ends, like the
 *   imports. Only list memberships change: no page says outright that no opt-out is recorded
 *   (unconfirmed), and the related pages say lists_delete "does not delete the contact" and deleted
 *   contacts "are not unsubscribed". There are no segment tags (the import has no tag field), so no stale tags.
 */

/** `lists` takes at most 25 list ids per request (ContactsApi getAllContacts). */
const LISTS_PER_READ = 25;
/** "from 1 - 500" contacts a page (ContactsApi getAllContacts `limit`). */
const READ_PAGE_SIZE = 500;
/** source.contact_ids: "up to 500" (ListActivityRemoveContacts). */
const CONTACTS_PER_REMOVAL = 500;
/** Pages read per group of lists at most: 10,000,000 contacts, far past what a day's 10,000 requests allow. */
const MAX_READ_PAGES = 20_000;

const RUNNING_STATES = new Set(['initialized', 'processing']);
const FAILED_STATES = new Set(['cancelled', 'failed', 'timed_out']);

interface RemovalActivity {
	activity_id?: unknown;
	state?: unknown;
	activity_errors?: unknown;
	status?: { error_count?: unknown; correctable_count?: unknown };
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class ConstantContactMirror implements MirrorSupport {
	readonly maxMembersPerRemoval = CONTACTS_PER_REMOVAL;

	readonly removesStaleTags = false;

	constructor(private readonly listIds: readonly string[]) {}

	/** The contacts of the target lists, 500 a page; lists past 25 are read in further groups, each contact once. */
	async *readMembers(send: RequestSender): AsyncIterable<TargetMember[]> {
		const groups: string[][] = [];
		for (let start = 0; start < this.listIds.length; start += LISTS_PER_READ) groups.push(this.listIds.slice(start, start + LISTS_PER_READ));
		const seen = groups.length > 1 ? new Set<string>() : undefined;
		for (const group of groups) {
			let request: DestinationRequest | undefined = { method: 'GET', path: '/contacts', qs: { lists: group.join(','), limit: READ_PAGE_SIZE } };
			let previousHref: string | undefined;
			for (let page = 0; request; page++) {
				if (page >= MAX_READ_PAGES) throw new StopFailure(`Constant Contact kept sending pages of the lists' contacts (more than ${MAX_READ_PAGES})`);
				const response = await send(request, 'read');
				const { members, next } = readPage(response);
				let fresh = members;
				if (seen) {
					fresh = members.filter((member) => !seen.has(member.id!));
					for (const member of fresh) seen.add(member.id!);
				}
				if (fresh.length) yield fresh;
				if (next !== undefined && next === previousHref) throw new StopFailure('Constant Contact sent the same page of the lists\' contacts twice', undefined, response.statusCode);
				previousHref = next;
				// A page without contacts ends the read, whatever its link says.
				request = next && members.length ? nextPage(next) : undefined;
			}
		}
	}

	buildRemovalRequest(members: readonly TargetMember[], scope: RemovalScope): DestinationRequest {
		if (scope.kind !== 'departed') throw new StopFailure('Constant Contact has no segment tags to remove');
		const contactIds = members.map((member) => {
			if (!member.id) throw new StopFailure('A contact to take out of the lists has no Constant Contact id');
			return member.id;
		});
		return { method: 'POST', path: '/activities/remove_list_memberships', body: JSON.stringify({ source: { contact_ids: contactIds }, list_ids: this.listIds }) };
	}

	/** 201 ActivityListsMembership with an activity_id: an activity to follow. Anything else is unreadable. */
	interpretRemovalResponse(response: DestinationResponse): RemovalOutcome {
		if (response.statusCode < 200 || response.statusCode >= 300) throw answerFailure(SERVICE_NAME, 'the removal from lists', response, true);
		const body = response.body;
		if (isObject(body) && typeof body.activity_id === 'string' && body.activity_id) return { kind: 'job', jobId: body.activity_id };
		throw unreadableAnswer(SERVICE_NAME, 'the removal from lists', response);
	}

	/**
	 * GET /activities/{id}. States (v3 swagger, Activity.state): initialized and processing run;
	 * completed ends; cancelled, failed and timed_out end without a result. A state no document names
	 * is taken as failed: the contacts stay managed and are removed on a later run.
	 */
	async pollRemovalJob(send: RequestSender, jobId: string, members: readonly TargetMember[]): Promise<RemovalJobStatus> {
		const response = await send({ method: 'GET', path: `/activities/${encodeURIComponent(jobId)}` }, 'poll');
		if (response.statusCode !== 200) return { state: 'failed', message: `its status could not be read (HTTP ${response.statusCode})` };
		const activity = response.body as RemovalActivity;
		if (!isObject(activity) || typeof activity.state !== 'string') throw unreadableAnswer(SERVICE_NAME, `the status of activity ${jobId}`, response);
		if (RUNNING_STATES.has(activity.state)) return { state: 'pending' };
		if (activity.state !== 'completed') {
			return { state: 'failed', message: FAILED_STATES.has(activity.state) ? `the activity ended as ${activity.state}` : `the activity is in a state no document names (${activity.state})` };
		}
		return removalResult(activity, members);
	}
}

/** One page of GET /contacts: its contacts with an e-mail address (SMS-only contacts are skipped) and the next link. */
function readPage(response: DestinationResponse): { members: TargetMember[]; next?: string } {
	if (response.statusCode !== 200) {
		if (response.statusCode >= 200 && response.statusCode < 300) throw unreadableAnswer(SERVICE_NAME, 'the read of the lists\' contacts', response);
		throw answerFailure(SERVICE_NAME, 'the read of the lists\' contacts', response, true);
	}
	const body = response.body;
	if (!isObject(body) || !Array.isArray(body.contacts)) throw unreadableAnswer(SERVICE_NAME, 'the read of the lists\' contacts', response);
	const members: TargetMember[] = [];
	for (const contact of body.contacts as unknown[]) {
		if (!isObject(contact) || typeof contact.contact_id !== 'string' || !contact.contact_id) throw unreadableAnswer(SERVICE_NAME, 'the read of the lists\' contacts', response);
		const address = contact.email_address;
		if (address === undefined || address === null) continue;
		if (!isObject(address) || typeof address.address !== 'string') throw unreadableAnswer(SERVICE_NAME, 'the read of the lists\' contacts', response);
		members.push({ email: address.address.trim().toLowerCase(), id: contact.contact_id });
	}
	const links = body._links;
	if (links === undefined || links === null) return { members };
	if (!isObject(links)) throw unreadableAnswer(SERVICE_NAME, 'the read of the lists\' contacts', response);
	const next = links.next;
	if (next === undefined || next === null) return { members };
	if (!isObject(next) || typeof next.href !== 'string') throw unreadableAnswer(SERVICE_NAME, 'the read of the lists\' contacts', response);
	return { members, next: next.href || undefined };
}

/**
 * A completed removal: its errors (strings, or {message} as generic activities have them; their
 * wording is undocumented) are matched to contacts by contact id or address. When more contacts are
 * counted as failed than can be named, the whole activity is taken as failed: its contacts stay
 * managed, rather than some that stayed in the lists being forgotten.
 */
function removalResult(activity: RemovalActivity, members: readonly TargetMember[]): RemovalJobStatus {
	const errors = Array.isArray(activity.activity_errors) ? (activity.activity_errors as unknown[]) : [];
	const failures: RemovalFailure[] = [];
	const named = new Set<number>();
	let unnamed = 0;
	for (const error of errors) {
		const message = typeof error === 'string' ? error : isObject(error) && typeof error.message === 'string' ? error.message : '';
		const text = message.toLowerCase();
		const position = members.findIndex((member, index) => !named.has(index) && ((member.id && mentions(text, member.id.toLowerCase())) || mentions(text, member.email)));
		if (position < 0) {
			unnamed++;
			continue;
		}
		named.add(position);
		failures.push({ position, message: `Constant Contact: ${message}` });
	}
	const count = (value: unknown) => (typeof value === 'number' && value > 0 ? value : 0);
	const counted = count(activity.status?.error_count) + count(activity.status?.correctable_count);
	if (unnamed > 0 || counted > failures.length) {
		return { state: 'failed', message: `Constant Contact could not take ${Math.max(counted, failures.length + unnamed)} contacts out of the lists and does not say which` };
	}
	return { state: 'done', failures };
}

/** Whether `text` names `token` as a whole word: "a@x.io" is not named by "ba@x.io". */
function mentions(text: string, token: string): boolean {
	for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
		const before = text[at - 1];
		// A dot may end the sentence, not the address when more follows it ("a@x.io.au").
		const after = text.slice(at + token.length, at + token.length + 2);
		if ((before === undefined || !/[\w.%+@-]/.test(before)) && !/^([\w%+@-]|\.\w)/.test(after)) return true;
	}
	return false;
}
