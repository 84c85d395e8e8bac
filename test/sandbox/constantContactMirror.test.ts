import { randomUUID } from 'crypto';

import { useSandbox } from '../harness/fixtures';

const NEWSLETTER = '6f1c2a10-0000-4000-8000-000000000001';
const VIP = '6f1c2a10-0000-4000-8000-000000000002';

interface ContactJson {
	contact_id: string;
	email_address: { address: string; permission_to_send: string };
	list_memberships?: string[];
}

/** The answer fields these tests look at (contacts, activities, errors). */
interface Answer {
	contacts: ContactJson[];
	_links?: { next: { href: string } };
	activity_id: string;
	state: string;
	error_key?: string;
	[key: string]: unknown;
}

/** The endpoints Sync Mode Mirror uses: GET /contacts and POST /activities/remove_list_memberships (v3 swagger). */
describe('Constant Contact sandbox: list members and removal from lists', () => {
	const sandbox = useSandbox();
	/** One request; a throttled one (4 a second, scaled) is sent again shortly. */
	const call = async (method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: Answer }> => {
		const { baseUrl } = sandbox().endpoints.constantContact;
		const token = sandbox().constantContact.issueTokens().access_token;
		const response = await fetch(`${baseUrl}${pathAndQuery}`, {
			method,
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		});
		const answer = { status: response.status, body: (await response.json().catch(() => undefined)) as Answer };
		if (answer.status === 429) {
			await new Promise((resolve) => setTimeout(resolve, 25));
			return await call(method, pathAndQuery, body);
		}
		return answer;
	};
	const seedList = (count: number, lists = [NEWSLETTER]) => {
		for (let index = 0; index < count; index++) sandbox().constantContact.seed(`m${index}@example.com`, 'implicit', lists);
	};
	const waitForActivity = async (id: string) => {
		for (let tries = 0; tries < 100; tries++) {
			const { body } = await call('GET', `/activities/${id}`);
			if (!['initialized', 'processing'].includes(body.state)) return body;
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		throw new Error('activity did not end');
	};

	test('GET /contacts?lists= pages by an opaque cursor in _links.next.href, absent on the last page', async () => {
		seedList(7);
		sandbox().constantContact.seed('elsewhere@example.com', 'implicit', [VIP]);
		const first = await call('GET', `/contacts?lists=${NEWSLETTER}&limit=3`);
		expect(first.status).toBe(200);
		expect(first.body.contacts).toHaveLength(3);
		expect(first.body.contacts[0]).toMatchObject({ contact_id: expect.any(String), email_address: { address: 'm0@example.com', permission_to_send: 'implicit' } });
		const href = first.body._links!.next.href;
		expect(href).toMatch(/^\/v3\/contacts\?cursor=[\w-]+$/);
		const second = await call('GET', href.replace('/v3', ''));
		const third = await call('GET', second.body._links!.next.href.replace('/v3', ''));
		expect(third.body.contacts).toHaveLength(1);
		expect(third.body._links).toBeUndefined();
		const read = [...first.body.contacts, ...second.body.contacts, ...third.body.contacts].map((contact) => contact.email_address.address);
		expect(read.sort()).toEqual(Array.from({ length: 7 }, (_, index) => `m${index}@example.com`).sort());
	});

	test('GET /contacts: lists takes several ids (a union) up to 25; limit 1–500; status and include from the documented values; unknown parameters refused', async () => {
		sandbox().constantContact.seed('news@example.com', 'implicit', [NEWSLETTER]);
		sandbox().constantContact.seed('vip@example.com', 'implicit', [VIP]);
		sandbox().constantContact.seed('gone@example.com', 'unsubscribed', []);
		const both = await call('GET', `/contacts?lists=${NEWSLETTER},${VIP}&limit=500&include=list_memberships`);
		expect(both.body.contacts.map((contact) => contact.email_address.address).sort()).toEqual(['news@example.com', 'vip@example.com']);
		expect(both.body.contacts[0].list_memberships).toEqual([NEWSLETTER]);
		expect((await call('GET', '/contacts?status=unsubscribed')).body.contacts.map((contact) => contact.email_address.address)).toEqual(['gone@example.com']);
		const lists26 = Array.from({ length: 26 }, () => randomUUID()).join(',');
		for (const query of [`lists=${lists26}`, 'lists=not-a-uuid', 'limit=501', 'limit=0', 'limit=abc', 'status=gone', 'include=everything', 'offset=5', 'cursor=bm9wZQ']) {
			const refused = await call('GET', `/contacts?${query}`);
			expect([query, refused.status]).toEqual([query, 400]);
			expect((refused.body as unknown as Answer[])[0]).toMatchObject({ error_key: expect.any(String), error_message: expect.any(String) });
		}
	});

	test('remove_list_memberships: 201 with an activity, the memberships go when it completes, and nothing else changes', async () => {
		seedList(3, [NEWSLETTER, VIP]);
		const [first, second, third] = sandbox().constantContact.contacts();
		const accepted = await call('POST', '/activities/remove_list_memberships', { source: { contact_ids: [first.contact_id, second.contact_id] }, list_ids: [NEWSLETTER] });
		expect(accepted.status).toBe(201);
		expect(accepted.body).toMatchObject({ activity_id: expect.any(String), state: expect.stringMatching(/^(initialized|processing)$/), status: { items_total_count: 2, list_count: 1 } });
		const ended = await waitForActivity(accepted.body.activity_id);
		expect(ended).toMatchObject({ state: 'completed', percent_done: 100, activity_errors: [], status: { error_count: 0 } });
		expect([...first.lists]).toEqual([VIP]);
		expect([...second.lists]).toEqual([VIP]);
		expect([...third.lists].sort()).toEqual([NEWSLETTER, VIP].sort());
		// Never an opt-out.
		expect(sandbox().constantContact.contacts().map((contact) => contact.permission)).toEqual(['implicit', 'implicit', 'implicit']);
	});

	test('remove_list_memberships: an unknown contact id is an activity error naming it; a failed activity ends as failed', async () => {
		seedList(1);
		const [known] = sandbox().constantContact.contacts();
		const missing = randomUUID();
		const accepted = await call('POST', '/activities/remove_list_memberships', { source: { contact_ids: [known.contact_id, missing] }, list_ids: [NEWSLETTER] });
		const ended = await waitForActivity(accepted.body.activity_id);
		expect(ended).toMatchObject({ state: 'completed', activity_errors: [expect.stringContaining(missing)], status: { error_count: 1 } });
		expect(known.lists.size).toBe(0);

		seedList(1);
		sandbox().constantContact.forms.removalState = 'failed';
		const again = await call('POST', '/activities/remove_list_memberships', { source: { contact_ids: [sandbox().constantContact.contacts()[0].contact_id] }, list_ids: [NEWSLETTER] });
		expect((await waitForActivity(again.body.activity_id)).state).toBe('failed');
		expect(sandbox().constantContact.contacts()[0].lists.has(NEWSLETTER)).toBe(true);
	});

	test('remove_list_memberships by source list, with exclude: the excluded contact stays', async () => {
		seedList(3, [NEWSLETTER, VIP]);
		const [kept, ...others] = sandbox().constantContact.contacts();
		const accepted = await call('POST', '/activities/remove_list_memberships', { source: { list_ids: [VIP] }, list_ids: [NEWSLETTER], exclude: { contact_ids: [kept.contact_id] } });
		expect((await waitForActivity(accepted.body.activity_id)).state).toBe('completed');
		expect(kept.lists.has(NEWSLETTER)).toBe(true);
		expect(others.map((contact) => [...contact.lists])).toEqual([[VIP], [VIP]]);
	});

	test('remove_list_memberships validates its body as the swagger states it: up to 500 contact ids, one source, list_ids required (≤ 50), exclude only with list or all-contacts sources', async () => {
		const ids = (count: number) => Array.from({ length: count }, () => randomUUID());
		const refusals: unknown[] = [
			{ source: { contact_ids: ids(501) }, list_ids: [NEWSLETTER] },
			{ source: { contact_ids: [] }, list_ids: [NEWSLETTER] },
			{ source: { contact_ids: ids(1) } },
			{ source: { contact_ids: ids(1) }, list_ids: [] },
			{ source: { contact_ids: ids(1) }, list_ids: Array.from({ length: 51 }, () => NEWSLETTER) },
			{ source: {}, list_ids: [NEWSLETTER] },
			{ source: { contact_ids: ids(1), list_ids: [VIP] }, list_ids: [NEWSLETTER] },
			{ source: { contact_ids: ids(1) }, list_ids: [NEWSLETTER], exclude: { contact_ids: ids(1) } },
			{ source: { contact_ids: ['not-a-uuid'] }, list_ids: [NEWSLETTER] },
			{ source: { contact_ids: ids(1) }, list_ids: [NEWSLETTER], extra: true },
			{ source: { contact_ids: ids(1) }, list_ids: [randomUUID()] },
			'{"source": ',
		];
		for (const body of refusals) {
			const refused = await call('POST', '/activities/remove_list_memberships', body);
			expect([body, refused.status]).toEqual([body, 400]);
		}
		expect((await call('POST', '/activities/remove_list_memberships', { source: { contact_ids: ids(500) }, list_ids: [NEWSLETTER] })).status).toBe(201);
		expect((await call('POST', '/activities/remove_list_memberships', { source: { list_ids: [VIP] }, list_ids: [NEWSLETTER], exclude: { contact_ids: ids(1) } })).status).toBe(201);
	});
});

describe('Constant Contact sandbox at the published speed', () => {
	// Scale 1: the one-second window cannot slide away while the requests are sent.
	const sandbox = useSandbox(1);

	test('the removal is asynchronous: right after the 201 the memberships are unchanged', async () => {
		sandbox().constantContact.seed('a@example.com', 'implicit', [NEWSLETTER]);
		const [member] = sandbox().constantContact.contacts();
		const response = await fetch(`${sandbox().endpoints.constantContact.baseUrl}/activities/remove_list_memberships`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sandbox().constantContact.issueTokens().access_token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ source: { contact_ids: [member.contact_id] }, list_ids: [NEWSLETTER] }),
		});
		expect(response.status).toBe(201);
		expect(((await response.json()) as Answer).state).toBe('initialized');
		expect(member.lists.has(NEWSLETTER)).toBe(true);
	});

	test('the read counts against the 4 requests a second like every other request', async () => {
		const { baseUrl } = sandbox().endpoints.constantContact;
		const token = sandbox().constantContact.issueTokens().access_token;
		const statuses = await Promise.all(
			Array.from({ length: 8 }, async () => (await fetch(`${baseUrl}/contacts?lists=${NEWSLETTER}`, { headers: { authorization: `Bearer ${token}` } })).status),
		);
		expect(statuses.filter((status) => status === 200)).toHaveLength(4);
		expect(statuses.filter((status) => status === 429)).toHaveLength(4);
	});
});
