import { useSandbox } from '../harness/fixtures';
import { CM_RATE_LIMIT, CM_TEST_API_KEY } from './campaignMonitor';

const auth = (key = CM_TEST_API_KEY) => `Basic ${Buffer.from(`${key}:x`).toString('base64')}`;

describe('Campaign Monitor sandbox', () => {
	const sandbox = useSandbox();
	const call = async (method: string, path: string, body?: unknown, key?: string) => {
		const response = await fetch(`${sandbox().endpoints.campaignMonitor.baseUrl}${path}`, {
			method,
			headers: { authorization: auth(key), 'content-type': 'application/json' },
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		});
		return { status: response.status, headers: response.headers, body: (await response.json().catch(() => undefined)) as Record<string, unknown> };
	};
	const importBody = (subscribers: unknown[]) => ({ Subscribers: subscribers, Resubscribe: false });

	test('refuses a missing or wrong API key the way the service does', async () => {
		const response = await fetch(`${sandbox().endpoints.campaignMonitor.baseUrl}/systemdate.json`);
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ Code: 50, Message: 'Must supply a valid HTTP Basic Authorization header' });
		expect(await call('GET', '/systemdate.json', undefined, 'nope')).toMatchObject({ status: 401, body: { Code: 100, Message: 'Invalid API key' } });
	});

	test('lists clients, lists and custom fields', async () => {
		expect((await call('GET', '/clients.json')).body).toHaveLength(2);
		const lists = await call('GET', '/clients/sandbox-client-retail/lists.json');
		expect(lists.body).toEqual([
			{ ListID: 'cm-list-newsletter', Name: 'Newsletter' },
			{ ListID: 'cm-list-vip', Name: 'VIP Customers' },
		]);
		const fields = await call('GET', '/lists/cm-list-newsletter/customfields.json');
		expect((fields.body as unknown as Array<{ Key: string }>).map((f) => f.Key)).toContain('[PostalCode]');
		expect(await call('GET', '/lists/missing.json')).toMatchObject({ status: 400, body: { Code: 101 } });
	});

	test('validates imports strictly: unknown fields, wrong types, missing consent, too many subscribers, bad JSON', async () => {
		const ok = { EmailAddress: 'a@example.com', Name: 'A', ConsentToTrack: 'unchanged' };
		expect((await call('POST', '/subscribers/cm-list-newsletter/import.json', importBody([{ ...ok, Extra: 1 }]))).status).toBe(400);
		expect((await call('POST', '/subscribers/cm-list-newsletter/import.json', importBody([{ ...ok, Name: 5 }]))).status).toBe(400);
		expect((await call('POST', '/subscribers/cm-list-newsletter/import.json', importBody([{ EmailAddress: 'a@example.com' }]))).status).toBe(400);
		expect((await call('POST', '/subscribers/cm-list-newsletter/import.json', { Subscribers: [ok] })).status).toBe(400);
		expect((await call('POST', '/subscribers/cm-list-newsletter/import.json', '{"Subscribers": [')).status).toBe(400);
		const tooMany = Array.from({ length: 1001 }, (_, i) => ({ ...ok, EmailAddress: `p${i}@example.com` }));
		expect(await call('POST', '/subscribers/cm-list-newsletter/import.json', importBody(tooMany))).toMatchObject({ status: 400, body: { Message: 'Too many subscribers: at most 1000 per import' } });
		expect((await call('POST', '/subscribers/cm-list-newsletter/import.json', importBody([{ ...ok, CustomFields: [{ Key: '[Nope]', Value: 'x' }] }]))).status).toBe(400);
		expect(sandbox().campaignMonitor.subscribers('cm-list-newsletter')).toHaveLength(0);
	});

	test('answers a partial failure with 400 and code 210, and imports the rest', async () => {
		const response = await call('POST', '/subscribers/cm-list-newsletter/import.json', importBody([
			{ EmailAddress: 'fine@example.com', ConsentToTrack: 'yes' },
			{ EmailAddress: 'bad@host.invalid', ConsentToTrack: 'yes' },
		]));
		expect(response.status).toBe(400);
		expect(response.body).toEqual({
			Code: 210,
			Message: 'Subscriber Import had some failures',
			ResultData: {
				FailureDetails: [{ EmailAddress: 'bad@host.invalid', Code: 1, Message: 'Invalid Email Address' }],
				TotalUniqueEmailsSubmitted: 2,
				TotalExistingSubscribers: 0,
				TotalNewSubscribers: 1,
				DuplicateEmailsInSubmission: [],
			},
		});
		expect(sandbox().campaignMonitor.subscribers('cm-list-newsletter').map((s) => s.EmailAddress)).toEqual(['fine@example.com']);
	});

	test('cuts long custom field values silently, like the service, and counts them', async () => {
		await call('POST', '/subscribers/cm-list-newsletter/import.json', importBody([{ EmailAddress: 'l@example.com', ConsentToTrack: 'no', CustomFields: [{ Key: '[City]', Value: 'c'.repeat(260) }] }]));
		expect(sandbox().campaignMonitor.silentlyTruncated).toBe(1);
		expect(sandbox().campaignMonitor.subscribers('cm-list-newsletter')[0].CustomFields['[City]']).toHaveLength(250);
	});

	test('reports its rate window on every answer and answers 429 without Retry-After once it is spent', async () => {
		let last;
		for (let i = 0; i < CM_RATE_LIMIT; i++) last = await call('GET', '/systemdate.json');
		expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
		const limited = await call('GET', '/systemdate.json');
		expect(limited.status).toBe(429);
		expect(limited.body).toEqual({ Code: 429, Message: 'Rate limit exceeded' });
		expect(limited.headers.get('retry-after')).toBeNull();
		expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
	});

	test('injects faults on matching requests only, then behaves normally', async () => {
		sandbox().injectFault({ service: 'campaignMonitor', kind: 'status', status: 503, times: 1, pathIncludes: '/clients.json' });
		expect((await call('GET', '/systemdate.json')).status).toBe(200);
		expect((await call('GET', '/clients.json')).status).toBe(503);
		expect((await call('GET', '/clients.json')).status).toBe(200);
		sandbox().injectFault({ service: 'campaignMonitor', kind: 'drop-before', times: 1 });
		await expect(call('GET', '/clients.json')).rejects.toThrow();
	});

	test('serves state and takes faults through the control API', async () => {
		const faults = await fetch(`${sandbox().url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ service: 'campaignMonitor', kind: 'status', status: 500, times: 1 }) });
		expect(faults.status).toBe(204);
		expect((await call('GET', '/systemdate.json')).status).toBe(500);
		const state = (await (await fetch(`${sandbox().url}/_sandbox/state`)).json()) as { campaignMonitor: { lists: unknown[] } };
		expect(state.campaignMonitor.lists).toHaveLength(3);
	});
});
