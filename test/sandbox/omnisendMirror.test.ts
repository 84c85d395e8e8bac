import { useSandbox } from '../harness/fixtures';
import { OMNISEND_TAG_REQUESTS_PER_MINUTE, OMNISEND_TEST_API_KEY, OMNISEND_UNTAG_MS, OMNISEND_VERSION } from './omnisend';

/** The answer fields these tests look at. */
interface Answer {
	contacts: Array<{ email: string; [key: string]: unknown }>;
	paging: { hasMore: boolean; cursors: { after: string | null } };
	[key: string]: unknown;
}

/** The endpoints Sync Mode Mirror uses: GET /contacts?tag= and DELETE /contacts/tags (contacts OpenAPI 2026-03-15). */
describe('Omnisend sandbox: contacts by tag and tag removal', () => {
	// At the published speed: the 60-a-minute window must not slide away during the test.
	const sandbox = useSandbox(1);
	const call = async (method: string, pathAndQuery: string, body?: unknown) => {
		const response = await fetch(`${sandbox().endpoints.omnisend.baseUrl}${pathAndQuery}`, {
			method,
			headers: { authorization: `Omnisend-API-Key ${OMNISEND_TEST_API_KEY}`, 'omnisend-version': OMNISEND_VERSION, 'content-type': 'application/json' },
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		});
		const text = await response.text();
		return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as Answer };
	};
	const seed = (count: number, tags: string[], prefix = 'm') => {
		for (let index = 0; index < count; index++) sandbox().omnisend.seed(`${prefix}${index}@example.com`, 'subscribed', undefined, tags);
	};
	const untagged = () => new Promise((resolve) => setTimeout(resolve, OMNISEND_UNTAG_MS / sandbox().scale + 30));

	test('GET /contacts?tag= pages with paging.cursors.after while paging.hasMore', async () => {
		seed(5, ['VIP']);
		seed(2, ['Other'], 'o');
		const first = await call('GET', '/contacts?tag=VIP&limit=2');
		expect(first.status).toBe(200);
		expect(first.body.contacts).toHaveLength(2);
		expect(first.body.contacts[0]).toMatchObject({ id: expect.any(String), email: expect.stringMatching(/^m\d@example\.com$/), identifiers: [{ type: 'email' }], status: 'subscribed', tags: ['VIP'] });
		expect(first.body.paging).toMatchObject({ hasMore: true, limit: 2, cursors: { after: expect.any(String), before: null } });
		const emails: string[] = first.body.contacts.map((contact) => contact.email);
		let paging = first.body.paging;
		while (paging.hasMore) {
			const next = await call('GET', `/contacts?tag=VIP&limit=2&after=${paging.cursors.after}`);
			emails.push(...next.body.contacts.map((contact) => contact.email));
			paging = next.body.paging;
		}
		expect(paging.cursors.after).toBeNull();
		expect(emails.sort()).toEqual(['m0@example.com', 'm1@example.com', 'm2@example.com', 'm3@example.com', 'm4@example.com']);
	});

	test('GET /contacts refuses what the OpenAPI forbids: limit outside 1–250, tag with status, updatedAtFrom with tag, unknown parameters, a foreign cursor', async () => {
		for (const query of ['tag=VIP&limit=251', 'limit=0', 'tag=VIP&status=subscribed', 'tag=VIP&updatedAtFrom=2026-01-01T00:00:00Z', 'tag=VIP&page=2', 'status=gone', 'tag=VIP&after=bm9wZQ']) {
			const refused = await call('GET', `/contacts?${query}`);
			expect([query, refused.status]).toEqual([query, 400]);
			expect(refused.body).toMatchObject({ type: 'https://problems.omnisend.com/validation-failed', errors: [{ field: expect.any(String) }] });
		}
		expect((await call('GET', '/contacts?tag=VIP&limit=250')).status).toBe(200);
		expect((await call('GET', '/contacts?status=unsubscribed')).status).toBe(200);
	});

	test('DELETE /contacts/tags: 202 without a body; the tags go a moment later; unknown addresses are ignored; statuses never change', async () => {
		seed(3, ['VIP', 'n8n', 'Keep']);
		sandbox().omnisend.seed('out@example.com', 'unsubscribed', undefined, ['VIP']);
		const accepted = await call('DELETE', '/contacts/tags', { tags: ['VIP', 'n8n'], emails: ['m0@example.com', 'M1@Example.com', 'out@example.com', 'nobody@example.com'] });
		expect(accepted.status).toBe(202);
		expect(accepted.text).toBe('');
		// Asynchronous: "the tags may not disappear immediately".
		expect([...sandbox().omnisend.contact('m0@example.com')!.tags]).toEqual(['VIP', 'n8n', 'Keep']);
		await untagged();
		expect([...sandbox().omnisend.contact('m0@example.com')!.tags]).toEqual(['Keep']);
		expect([...sandbox().omnisend.contact('m1@example.com')!.tags]).toEqual(['Keep']);
		expect([...sandbox().omnisend.contact('m2@example.com')!.tags]).toEqual(['VIP', 'n8n', 'Keep']);
		expect(sandbox().omnisend.contacts().map((contact) => contact.status)).toEqual(['subscribed', 'subscribed', 'subscribed', 'unsubscribed']);
		expect(sandbox().omnisend.contact('nobody@example.com')).toBeUndefined();
		// By contact ID too (selectors are a union).
		const id = sandbox().omnisend.contact('m2@example.com')!.contactID;
		expect((await call('DELETE', '/contacts/tags', { tags: ['Keep'], contactIDs: [id] })).status).toBe(202);
		await untagged();
		expect([...sandbox().omnisend.contact('m2@example.com')!.tags]).toEqual(['VIP', 'n8n']);
	});

	test('DELETE /contacts/tags validates RemoveTagsRequest: tags 1–100 and required, at most 250 e-mails, a selector required, nothing else', async () => {
		const emails = (count: number) => Array.from({ length: count }, (_, index) => `p${index}@example.com`);
		const tags = (count: number) => Array.from({ length: count }, (_, index) => `t${index}`);
		const refusals: unknown[] = [
			{ tags: ['VIP'], emails: emails(251) },
			{ tags: tags(101), emails: emails(1) },
			{ tags: [], emails: emails(1) },
			{ emails: emails(1) },
			{ tags: ['VIP'] },
			{ tags: [''], emails: emails(1) },
			{ tags: ['VIP'], emails: emails(1), status: 'unsubscribed' },
			{ tags: ['VIP'], contactIDs: emails(251) },
			'{"tags": [',
		];
		for (const body of refusals) {
			const refused = await call('DELETE', '/contacts/tags', body);
			expect([body, refused.status]).toEqual([body, 400]);
			expect(refused.body).toMatchObject({ title: 'Validation failed' });
		}
		expect((await call('DELETE', '/contacts/tags', { tags: tags(100), emails: emails(250) })).status).toBe(202);
	});

	test('DELETE /contacts/tags has its own 60-a-minute window besides the brand\'s 400; reads are not held by it', async () => {
		const answers = [];
		for (let index = 0; index < OMNISEND_TAG_REQUESTS_PER_MINUTE + 1; index++) answers.push(await call('DELETE', '/contacts/tags', { tags: ['VIP'], emails: ['a@example.com'] }));
		expect(answers.slice(0, OMNISEND_TAG_REQUESTS_PER_MINUTE).every((answer) => answer.status === 202)).toBe(true);
		const throttled = answers[OMNISEND_TAG_REQUESTS_PER_MINUTE];
		expect(throttled.status).toBe(429);
		expect(throttled.body).toMatchObject({ type: 'https://problems.omnisend.com/rate-limit-exceeded', retryAfter: expect.any(Number) });
		expect((await call('GET', '/contacts?tag=VIP')).status).toBe(200);
		expect(sandbox().omnisend.snapshot().peakTagsPerMinute).toBe(OMNISEND_TAG_REQUESTS_PER_MINUTE);
	});
});
