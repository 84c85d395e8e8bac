import { randomUUID } from 'crypto';
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { ConstantContactAdapter } from '../../../nodes/ConstantContact/adapter';
import { ConstantContactMirror } from '../../../nodes/ConstantContact/mirror';
import type { DestinationRequest, DestinationResponse, MirrorSupport, RequestPurpose, RequestSender, TargetMember } from '../../../nodes/shared/adapter';
import { StopFailure, UnconfirmedFailure } from '../../../nodes/shared/engine/errors';
import { useSandbox } from '../../harness/fixtures';
import { fetchSender, readAll } from '../../harness/sender';

const NEWSLETTER = '6f1c2a10-0000-4000-8000-000000000001';
const VIP = '6f1c2a10-0000-4000-8000-000000000002';

const ok = (body: unknown, statusCode = 200): DestinationResponse => ({ statusCode, headers: {}, body });
const contact = (id: string, email?: string) => ({ contact_id: id, ...(email ? { email_address: { address: email, permission_to_send: 'implicit' } } : {}) });

/** A sender answering from a list of responses in order, recording what was asked. */
function scripted(answers: DestinationResponse[]): RequestSender & { log: Array<{ request: DestinationRequest; purpose: RequestPurpose }> } {
	const log: Array<{ request: DestinationRequest; purpose: RequestPurpose }> = [];
	const send = (async (request: DestinationRequest, purpose: RequestPurpose) => {
		log.push({ request, purpose });
		const answer = answers.shift();
		if (!answer) throw new Error(`no answer left for ${request.method} ${request.path}`);
		return answer;
	}) as RequestSender & { log: typeof log };
	send.log = log;
	return send;
}

describe('Constant Contact Mirror: reading the lists\' members', () => {
	const mirror: MirrorSupport = new ConstantContactMirror([NEWSLETTER]);

	test('pages by _links.next.href (500 a page, purpose read) until a page has no next link; addresses lower-cased, ids kept', async () => {
		const send = scripted([
			ok({ contacts: [contact('c1', 'A@Example.com'), contact('c2', 'b@example.com')], _links: { next: { href: '/v3/contacts?cursor=page2' } } }),
			ok({ contacts: [contact('c3', 'c@example.com')], _links: { next: { href: '/v3/contacts?cursor=page3' } } }),
			ok({ contacts: [contact('c4', 'd@example.com')] }),
		]);
		const members = await readAll(mirror.readMembers(send, []));
		expect(members).toEqual([
			{ email: 'a@example.com', id: 'c1' },
			{ email: 'b@example.com', id: 'c2' },
			{ email: 'c@example.com', id: 'c3' },
			{ email: 'd@example.com', id: 'c4' },
		]);
		expect(send.log.map((entry) => [entry.purpose, entry.request.path, entry.request.qs])).toEqual([
			['read', '/contacts', { lists: NEWSLETTER, limit: 500 }],
			['read', '/contacts', { cursor: 'page2' }],
			['read', '/contacts', { cursor: 'page3' }],
		]);
	});

	test('every documented answer form is read: _links without next, next null, contacts_count and status beside, SMS-only contacts (no email_address) skipped, an empty page', async () => {
		const forms: unknown[] = [
			{ contacts: [contact('c1', 'a@example.com')], _links: {} },
			{ contacts: [contact('c1', 'a@example.com')], _links: { next: null }, contacts_count: 1, status: 'complete' },
			{ contacts: [contact('c1', 'a@example.com'), contact('sms-only')] },
			{ contacts: [contact('c1', 'a@example.com'), { ...contact('c2'), email_address: null }], _links: { next: { href: '' } } },
		];
		for (const body of forms) expect(await readAll(mirror.readMembers(scripted([ok(body)]), []))).toEqual([{ email: 'a@example.com', id: 'c1' }]);
		// A page without contacts ends the read even when it links further.
		expect(await readAll(mirror.readMembers(scripted([ok({ contacts: [], _links: { next: { href: '/v3/contacts?cursor=x' } } })]), []))).toEqual([]);
	});

	test.each([
		['an HTML page', ok('<!doctype html><title>Sign in</title>')],
		['an empty answer', ok(undefined)],
		['an empty object', ok({})],
		['contacts that are not a list', ok({ contacts: {} })],
		['a contact without contact_id', ok({ contacts: [{ email_address: { address: 'a@example.com' } }] })],
		['an address that is not text', ok({ contacts: [{ contact_id: 'c1', email_address: { address: 5 } }] })],
		['a next link that is not text', ok({ contacts: [contact('c1', 'a@example.com')], _links: { next: { href: 7 } } })],
		['a 202 (documented for segment reads only)', ok({ contacts: [] }, 202)],
	])('%s is the typed unreadable-answer failure, never members', async (_name, answer) => {
		await expect(readAll(mirror.readMembers(scripted([answer]), []))).rejects.toBeInstanceOf(UnconfirmedFailure);
	});

	test.each([
		['a refusal', ok([{ error_key: 'unauthorized' }], 401)],
		['a redirect', { statusCode: 302, headers: { location: 'https://elsewhere.example/' }, body: '' }],
		['a bad request', ok([{ error_key: 'query.param.invalid' }], 400)],
	])('%s stops the read', async (_name, answer) => {
		await expect(readAll(mirror.readMembers(scripted([answer]), []))).rejects.toBeInstanceOf(StopFailure);
	});

	test('the same next link twice is a stop, not an endless read', async () => {
		const page = ok({ contacts: [contact('c1', 'a@example.com')], _links: { next: { href: '/v3/contacts?cursor=same' } } });
		await expect(readAll(mirror.readMembers(scripted([page, page, page]), []))).rejects.toThrow(/same page/);
	});

	test('more than 25 lists are read 25 at a time (the documented maximum of `lists`), each contact once', async () => {
		const lists = Array.from({ length: 30 }, () => randomUUID());
		const send = scripted([ok({ contacts: [contact('c1', 'a@example.com'), contact('c2', 'b@example.com')] }), ok({ contacts: [contact('c2', 'b@example.com'), contact('c3', 'c@example.com')] })]);
		const mirror: MirrorSupport = new ConstantContactMirror(lists);
		const members = await readAll(mirror.readMembers(send, []));
		expect(members.map((member) => member.id)).toEqual(['c1', 'c2', 'c3']);
		expect(send.log.map((entry) => String(entry.request.qs!.lists).split(','))).toEqual([lists.slice(0, 25), lists.slice(25)]);
	});
});

describe('Constant Contact Mirror: removal from lists', () => {
	const mirror: MirrorSupport = new ConstantContactMirror([NEWSLETTER, VIP]);
	const members: TargetMember[] = [
		{ email: 'a@example.com', id: 'id-a' },
		{ email: 'b@example.com', id: 'id-b' },
		{ email: 'c@example.com', id: 'id-c' },
	];

	test('one activity per 500 contacts, by contact id, from every target list; no segment tags', () => {
		expect(mirror.maxMembersPerRemoval).toBe(500);
		expect(mirror.removesStaleTags).toBe(false);
		const request = mirror.buildRemovalRequest(members, { kind: 'departed', segmentTags: ['VIP'] });
		expect(request).toMatchObject({ method: 'POST', path: '/activities/remove_list_memberships' });
		expect(JSON.parse(request.body!)).toEqual({ source: { contact_ids: ['id-a', 'id-b', 'id-c'] }, list_ids: [NEWSLETTER, VIP] });
		expect(() => mirror.buildRemovalRequest(members, { kind: 'staleTag', tag: 'VIP' })).toThrow(StopFailure);
		expect(() => mirror.buildRemovalRequest([{ email: 'x@example.com' }], { kind: 'departed', segmentTags: [] })).toThrow(StopFailure);
	});

	test('201 with an activity_id is a job; any other success answer is the typed unreadable-answer failure', () => {
		expect(mirror.interpretRemovalResponse(ok({ activity_id: 'act-1', state: 'initialized' }, 201), members)).toEqual({ kind: 'job', jobId: 'act-1' });
		for (const body of ['<html>busy</html>', undefined, {}, { activity_id: '' }, [{ activity_id: 'x' }]]) {
			expect(() => mirror.interpretRemovalResponse(ok(body, 201), members)).toThrow(UnconfirmedFailure);
		}
		expect(() => mirror.interpretRemovalResponse(ok([{ error_key: 'json.field.invalid' }], 400), members)).toThrow(StopFailure);
	});

	const poll = async (...answers: DestinationResponse[]) => {
		const send = scripted(answers);
		const status = await mirror.pollRemovalJob!(send, 'act-1', members);
		expect(send.log[0]).toMatchObject({ purpose: 'poll', request: { method: 'GET', path: '/activities/act-1' } });
		return status;
	};

	test('the activity is followed through its documented states', async () => {
		expect(await poll(ok({ activity_id: 'act-1', state: 'initialized' }))).toEqual({ state: 'pending' });
		expect(await poll(ok({ activity_id: 'act-1', state: 'processing', percent_done: 40 }))).toEqual({ state: 'pending' });
		expect(await poll(ok({ activity_id: 'act-1', state: 'completed', activity_errors: [], status: { items_total_count: 3, error_count: 0 } }))).toEqual({ state: 'done', failures: [] });
		expect(await poll(ok({ activity_id: 'act-1', state: 'completed' }))).toEqual({ state: 'done', failures: [] });
		for (const state of ['failed', 'cancelled', 'timed_out']) expect(await poll(ok({ activity_id: 'act-1', state }))).toEqual({ state: 'failed', message: `the activity ended as ${state}` });
		expect(await poll(ok({ activity_id: 'act-1', state: 'paused' }))).toMatchObject({ state: 'failed', message: expect.stringContaining('paused') });
		expect(await poll(ok([{ error_key: 'not_found' }], 404))).toEqual({ state: 'failed', message: 'its status could not be read (HTTP 404)' });
	});

	test('errors naming a contact (id or address, as strings or {message}) fail that contact; errors naming none fail the whole activity', async () => {
		expect(await poll(ok({ state: 'completed', activity_errors: ['contact_id id-b not found'], status: { error_count: 1 } }))).toEqual({
			state: 'done',
			failures: [{ position: 1, message: 'Constant Contact: contact_id id-b not found' }],
		});
		expect(await poll(ok({ state: 'completed', activity_errors: [{ message: 'C@example.com could not be removed' }] }))).toEqual({
			state: 'done',
			failures: [{ position: 2, message: 'Constant Contact: C@example.com could not be removed' }],
		});
		expect(await poll(ok({ state: 'completed', activity_errors: ['Something went wrong'], status: { error_count: 1 } }))).toMatchObject({ state: 'failed' });
		// An address inside a longer one does not name it.
		expect(await poll(ok({ state: 'completed', activity_errors: ['xa@example.com. not found'], status: { error_count: 1 } }))).toMatchObject({ state: 'failed' });
		expect(await poll(ok({ state: 'completed', activity_errors: ['a@example.com.au not found'], status: { error_count: 1 } }))).toMatchObject({ state: 'failed' });
		expect(await poll(ok({ state: 'completed', activity_errors: ['Contact a@example.com. not found'] }))).toMatchObject({ state: 'done', failures: [{ position: 0 }] });
		expect(await poll(ok({ state: 'completed', activity_errors: ['contact_id id-a not found'], status: { error_count: 2 } }))).toMatchObject({ state: 'failed', message: expect.stringContaining('2 contacts') });
	});

	test('a status answer of another shape is the typed unreadable-answer failure', async () => {
		await expect(poll(ok('<!doctype html>'))).rejects.toBeInstanceOf(UnconfirmedFailure);
		await expect(poll(ok({ activity_id: 'act-1' }))).rejects.toBeInstanceOf(UnconfirmedFailure);
		await expect(poll(ok(undefined))).rejects.toBeInstanceOf(UnconfirmedFailure);
	});

	test('the adapter offers Mirror on its target lists', () => {
		const context = { getNode: () => ({ name: 'Export' }) as INode } as unknown as IExecuteFunctions;
		const adapter = new ConstantContactAdapter(context, 'https://api.cc.email/v3', { listIds: [NEWSLETTER], emailField: 'email', fieldMap: {}, customFields: [], autoMapCustomFields: false });
		expect(adapter.mirror).toBeInstanceOf(ConstantContactMirror);
		expect(adapter.limits.removalRequestsPerMinute).toBeUndefined();
	});
});

describe('Constant Contact Mirror against the sandbox', () => {
	const sandbox = useSandbox();
	const sender = () => fetchSender(sandbox().endpoints.constantContact.baseUrl, { authorization: `Bearer ${sandbox().constantContact.issueTokens().access_token}` });
	const untilEnded = async (mirror: MirrorSupport, send: RequestSender, jobId: string, members: TargetMember[]) => {
		for (let tries = 0; tries < 200; tries++) {
			const status = await mirror.pollRemovalJob!(send, jobId, members);
			if (status.state !== 'pending') return status;
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		throw new Error('the removal did not end');
	};

	test('1,100 members over three pages are read; two are taken out of the list, opted in as before, the others untouched', async () => {
		const cc = sandbox().constantContact;
		for (let index = 0; index < 1100; index++) cc.seed(`member${index}@example.com`, 'implicit', [NEWSLETTER, VIP]);
		cc.seed('vip-only@example.com', 'implicit', [VIP]);
		const mirror: MirrorSupport = new ConstantContactMirror([NEWSLETTER]);
		const send = sender();
		const members = await readAll(mirror.readMembers(send, []));
		expect(members).toHaveLength(1100);
		expect(new Set(members.map((member) => member.email)).size).toBe(1100);
		expect(sandbox().requestsTo('constantContact', '/v3/contacts')).toHaveLength(3);

		const leaving = members.filter((member) => member.email === 'member7@example.com' || member.email === 'member900@example.com');
		const outcome = mirror.interpretRemovalResponse(await send(mirror.buildRemovalRequest(leaving, { kind: 'departed', segmentTags: [] }), 'remove'), leaving);
		expect(outcome.kind).toBe('job');
		const ended = await untilEnded(mirror, send, (outcome as { jobId: string }).jobId, leaving);
		expect(ended).toEqual({ state: 'done', failures: [] });
		expect([...cc.contact('member7@example.com')!.lists]).toEqual([VIP]);
		expect([...cc.contact('member900@example.com')!.lists]).toEqual([VIP]);
		expect(cc.listMembers(NEWSLETTER)).toHaveLength(1098);
		expect(cc.contacts().every((each) => each.permission === 'implicit')).toBe(true);
	});

	test('a removal activity that fails is reported as failed', async () => {
		const cc = sandbox().constantContact;
		cc.seed('a@example.com', 'implicit', [NEWSLETTER]);
		cc.forms.removalState = 'failed';
		const mirror: MirrorSupport = new ConstantContactMirror([NEWSLETTER]);
		const send = sender();
		const members = await readAll(mirror.readMembers(send, []));
		const outcome = mirror.interpretRemovalResponse(await send(mirror.buildRemovalRequest(members, { kind: 'departed', segmentTags: [] }), 'remove'), members);
		expect(await untilEnded(mirror, send, (outcome as { jobId: string }).jobId, members)).toEqual({ state: 'failed', message: 'the activity ended as failed' });
		expect(cc.listMembers(NEWSLETTER)).toHaveLength(1);
	});
});
