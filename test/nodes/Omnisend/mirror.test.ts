import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { OmnisendAdapter, type OmnisendSettings } from '../../../nodes/Omnisend/adapter';
import { OMNISEND_LIMITS } from '../../../nodes/Omnisend/limits';
import { OmnisendMirror } from '../../../nodes/Omnisend/mirror';
import type { DestinationRequest, DestinationResponse, MirrorSupport, RequestPurpose, RequestSender } from '../../../nodes/shared/adapter';
import { StopFailure, UnconfirmedFailure } from '../../../nodes/shared/engine/errors';
import { useSandbox } from '../../harness/fixtures';
import { fetchSender, readAll } from '../../harness/sender';
import { OMNISEND_TEST_API_KEY, OMNISEND_UNTAG_MS, OMNISEND_VERSION } from '../../sandbox/omnisend';

const ok = (body: unknown, statusCode = 200): DestinationResponse => ({ statusCode, headers: {}, body });
const person = (email: string, extra: Record<string, unknown> = {}) => ({ id: `id-${email}`, email, status: 'subscribed', tags: ['n8n'], ...extra });

/** A sender answering each request from `answer`, recording what was asked. */
function scripted(answer: (request: DestinationRequest) => DestinationResponse): RequestSender & { log: Array<{ request: DestinationRequest; purpose: RequestPurpose }> } {
	const log: Array<{ request: DestinationRequest; purpose: RequestPurpose }> = [];
	const send = (async (request: DestinationRequest, purpose: RequestPurpose) => {
		log.push({ request, purpose });
		return answer(request);
	}) as RequestSender & { log: typeof log };
	send.log = log;
	return send;
}
const once = (body: unknown, statusCode = 200) => scripted(() => ok(body, statusCode));

describe('Omnisend Mirror: reading the contacts carrying the export\'s tags', () => {
	test('with fixed tags, the first alone is read (every contact the export sent carries it), 250 a page by paging.cursors.after', async () => {
		const pages: Record<string, unknown[]> = {
			'n8n|': [{ contacts: [person('a@example.com'), person('B@Example.com')], paging: { cursors: { after: 'n8n-2', before: null }, hasMore: true, limit: 250 } }],
			'n8n|n8n-2': [{ contacts: [person('c@example.com')], paging: { cursors: { after: null, before: 'x' }, hasMore: false, limit: 250 } }],
		};
		const send = scripted((request) => ok(pages[`${request.qs!.tag}|${request.qs!.after ?? ''}`].shift()));
		const members = await readAll(new OmnisendMirror(['n8n', 'spring'], true).readMembers(send, ['VIP']));
		expect(members).toEqual([{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }]);
		expect(send.log.map((entry) => [entry.purpose, entry.request.method, entry.request.path, entry.request.qs])).toEqual([
			['read', 'GET', '/contacts', { tag: 'n8n', limit: 250 }],
			['read', 'GET', '/contacts', { tag: 'n8n', limit: 250, after: 'n8n-2' }],
		]);
	});

	test('without fixed tags, each segment name is read apart and contacts are merged by address', async () => {
		const pages: Record<string, unknown> = {
			VIP: { contacts: [person('a@example.com'), person('B@Example.com')], paging: { hasMore: false } },
			Churned: { contacts: [person('b@example.com'), person('d@example.com')], paging: { hasMore: false } },
		};
		const send = scripted((request) => ok(pages[String(request.qs!.tag)]));
		const members = await readAll(new OmnisendMirror([], true).readMembers(send, ['VIP', 'Churned']));
		expect(members).toEqual([{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'd@example.com' }]);
		expect(send.log.map((entry) => entry.request.qs!.tag)).toEqual(['VIP', 'Churned']);
	});

	test('segment names are read only when the export tags with them', async () => {
		const send = once({ contacts: [], paging: { hasMore: false } });
		await readAll(new OmnisendMirror(['n8n'], false).readMembers(send, ['VIP', 'Churned']));
		expect(send.log.map((entry) => entry.request.qs!.tag)).toEqual(['n8n']);
		const segmentsOnly = once({ contacts: [], paging: { hasMore: false } });
		await readAll(new OmnisendMirror([], true).readMembers(segmentsOnly, ['VIP', 'VIP', 'Churned']));
		expect(segmentsOnly.log.map((entry) => entry.request.qs!.tag)).toEqual(['VIP', 'Churned']);
	});

	test('every documented answer form is read: no paging, hasMore absent with or without a cursor, after null, the address only in identifiers, phone-only contacts skipped, an empty page', async () => {
		const mirror = new OmnisendMirror(['n8n'], false);
		const forms: unknown[] = [
			{ contacts: [person('a@example.com')] },
			{ contacts: [person('a@example.com')], paging: { cursors: { after: null, before: null }, hasMore: false, limit: 250 } },
			{ contacts: [person('a@example.com')], paging: { limit: 250 } },
			{ contacts: [person('a@example.com')], paging: null },
			{ contacts: [{ id: 'x', identifiers: [{ type: 'phone', id: '+15550100' }, { type: 'email', id: 'A@example.com', channels: { email: { status: 'subscribed' } } }] }] },
			{ contacts: [person('a@example.com'), { id: 'p', phone: ['+15550100'], identifiers: [{ type: 'phone', id: '+15550100' }] }, { id: 'q', email: null }] },
		];
		for (const body of forms) expect(await readAll(mirror.readMembers(once(body), []))).toEqual([{ email: 'a@example.com' }]);
		// hasMore absent but a cursor given: followed, and an empty page ends the read.
		const pages = [{ contacts: [person('a@example.com')], paging: { cursors: { after: 'c2' } } }, { contacts: [], paging: { cursors: { after: 'c3' } } }];
		const send = scripted(() => ok(pages.shift()));
		expect(await readAll(mirror.readMembers(send, []))).toEqual([{ email: 'a@example.com' }]);
		expect(send.log).toHaveLength(2);
	});

	test.each([
		['an HTML page', '<!doctype html><title>Log in</title>'],
		['an empty answer', undefined],
		['an empty object', {}],
		['contacts that are not a list', { contacts: 'none' }],
		['a contact that is not an object', { contacts: ['a@example.com'] }],
		['an address that is not text', { contacts: [{ id: 'x', email: 5 }] }],
		['identifiers that are not a list', { contacts: [{ id: 'x', identifiers: {} }] }],
		['more pages without a cursor', { contacts: [person('a@example.com')], paging: { hasMore: true, cursors: { after: null } } }],
		['paging of another shape', { contacts: [person('a@example.com')], paging: 'next' }],
		['hasMore that is not a boolean', { contacts: [person('a@example.com')], paging: { hasMore: 'yes' } }],
	])('%s is the typed unreadable-answer failure, never members', async (_name, body) => {
		await expect(readAll(new OmnisendMirror(['n8n'], false).readMembers(once(body), []))).rejects.toBeInstanceOf(UnconfirmedFailure);
	});

	test.each([
		['a refusal', ok({ title: 'Forbidden', detail: 'Missing contacts.read scope.' }, 403), StopFailure],
		['a redirect', { statusCode: 301, headers: { location: 'https://elsewhere.example/' }, body: '' }, StopFailure],
		['a 202 (not a documented answer to a read)', ok({ contacts: [] }, 202), UnconfirmedFailure],
	])('%s ends the read with a typed failure', async (_name, answer, failure) => {
		await expect(readAll(new OmnisendMirror(['n8n'], false).readMembers(scripted(() => answer), []))).rejects.toBeInstanceOf(failure);
	});

	test('the same cursor twice is a stop, not an endless read', async () => {
		const send = once({ contacts: [person('a@example.com')], paging: { hasMore: true, cursors: { after: 'same' } } });
		await expect(readAll(new OmnisendMirror(['n8n'], false).readMembers(send, []))).rejects.toBeInstanceOf(StopFailure);
	});
});

describe('Omnisend Mirror: removing tags', () => {
	const members = [{ email: 'a@example.com' }, { email: 'b@example.com' }];

	test('DELETE /contacts/tags with the e-mails (≤ 250) and the tags the scope names', () => {
		const mirror = new OmnisendMirror(['n8n', 'Shop'], true);
		expect(mirror.maxMembersPerRemoval).toBe(250);
		expect(mirror.removesStaleTags).toBe(true);
		const departed = mirror.buildRemovalRequest(members, { kind: 'departed', segmentTags: ['VIP', 'n8n'] });
		expect(departed).toMatchObject({ method: 'DELETE', path: '/contacts/tags' });
		expect(JSON.parse(departed.body!)).toEqual({ tags: ['n8n', 'Shop', 'VIP'], emails: ['a@example.com', 'b@example.com'] });
		expect(JSON.parse(mirror.buildRemovalRequest(members, { kind: 'staleTag', tag: 'VIP' }).body!)).toEqual({ tags: ['VIP'], emails: ['a@example.com', 'b@example.com'] });
		// Without Tag with Segment Names, only the fixed tags are the export's.
		expect(JSON.parse(new OmnisendMirror(['n8n'], false).buildRemovalRequest(members, { kind: 'departed', segmentTags: ['VIP'] }).body!).tags).toEqual(['n8n']);
		expect(new OmnisendMirror(['n8n'], false).removesStaleTags).toBe(false);
	});

	test('more than 100 tags (RemoveTagsRequest.tags maxItems) is a clear stop', () => {
		const segments = Array.from({ length: 101 }, (_, index) => `segment-${index}`);
		expect(() => new OmnisendMirror([], true).buildRemovalRequest(members, { kind: 'departed', segmentTags: segments })).toThrow(/at most 100 tags/);
	});

	test('202 without a body is done (nothing to follow); any other success answer is the typed unreadable-answer failure', () => {
		const mirror: MirrorSupport = new OmnisendMirror(['n8n'], false);
		expect(mirror.interpretRemovalResponse(ok(undefined, 202), members)).toEqual({ kind: 'done', failures: [] });
		expect(mirror.interpretRemovalResponse(ok('', 202), members)).toEqual({ kind: 'done', failures: [] });
		for (const [status, body] of [[202, '<html>maintenance</html>'], [202, {}], [202, { accepted: true }], [200, undefined], [204, undefined], [201, { batchID: 'x' }]] as Array<[number, unknown]>) {
			expect(() => mirror.interpretRemovalResponse(ok(body, status), members)).toThrow(UnconfirmedFailure);
		}
		expect(() => mirror.interpretRemovalResponse(ok({ title: 'Validation failed' }, 400), members)).toThrow(StopFailure);
	});

	test('the adapter offers Mirror when the export tags its contacts, and refuses it when it sets no tag; removals have their own 60 a minute', () => {
		const context = { getNode: () => ({ name: 'Export' }) as INode } as unknown as IExecuteFunctions;
		const settings: OmnisendSettings = { emailField: 'email', fieldMap: {}, status: 'none', updateExistingStatus: false, sendWelcomeMessage: false, tagWithSegments: false, tags: ['n8n'], customProperties: [] };
		expect(new OmnisendAdapter(context, 'https://api.omnisend.com/api', settings).mirror).toBeInstanceOf(OmnisendMirror);
		expect(new OmnisendAdapter(context, 'https://api.omnisend.com/api', { ...settings, tags: [], tagWithSegments: true }).mirror).toBeInstanceOf(OmnisendMirror);
		expect(new OmnisendAdapter(context, 'https://api.omnisend.com/api', { ...settings, tags: [] }).mirror).toEqual({ refused: expect.stringContaining('sets none') });
		expect(OMNISEND_LIMITS.removalRequestsPerMinute).toBe(60);
	});
});

describe('Omnisend Mirror against the sandbox', () => {
	const sandbox = useSandbox();

	test('600 contacts over three pages of the export\'s fixed tag are read; removal takes the export\'s tags from two of them a moment later and leaves their status', async () => {
		const omnisend = sandbox().omnisend;
		for (let index = 0; index < 600; index++) omnisend.seed(`member${index}@example.com`, index % 2 ? 'subscribed' : 'nonSubscribed', undefined, ['n8n', ...(index < 50 ? ['VIP'] : []), 'Theirs']);
		omnisend.seed('vip-only@example.com', 'subscribed', undefined, ['VIP']);
		omnisend.seed('untagged@example.com', 'subscribed');
		const send = fetchSender(sandbox().endpoints.omnisend.baseUrl, { authorization: `Omnisend-API-Key ${OMNISEND_TEST_API_KEY}`, 'omnisend-version': OMNISEND_VERSION });
		const mirror: MirrorSupport = new OmnisendMirror(['n8n'], true);
		const members = await readAll(mirror.readMembers(send, ['VIP']));
		// Only the fixed tag is read: a contact with the segment tag alone was not sent by this export.
		expect(members).toHaveLength(600);
		expect(new Set(members.map((member) => member.email)).size).toBe(600);
		expect(sandbox().requestsTo('omnisend', '/contacts')).toHaveLength(3);

		const leaving = [{ email: 'member1@example.com' }, { email: 'member2@example.com' }];
		const response = await send(mirror.buildRemovalRequest(leaving, { kind: 'departed', segmentTags: ['VIP'] }), 'remove');
		expect(mirror.interpretRemovalResponse(response, leaving)).toEqual({ kind: 'done', failures: [] });
		await new Promise((resolve) => setTimeout(resolve, OMNISEND_UNTAG_MS / sandbox().scale + 50));
		expect([...omnisend.contact('member1@example.com')!.tags]).toEqual(['Theirs']);
		expect(omnisend.contact('member1@example.com')!.status).toBe('subscribed');
		expect(omnisend.contact('member2@example.com')!.status).toBe('nonSubscribed');
		expect(omnisend.tagged('n8n')).toHaveLength(598);
		expect(omnisend.tagged('VIP')).toHaveLength(49);
	});
});
