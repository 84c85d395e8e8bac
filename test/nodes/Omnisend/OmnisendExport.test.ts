import type { IDataObject } from 'n8n-workflow';

import { makeProfiles, serialized, useSandbox } from '../../harness/fixtures';
import { runWorkflow } from '../../harness/run';
import { chain, type NodeSpec, omnisendCredentials } from '../../harness/workflows';
import { OMNISEND_TEST_API_KEY } from '../../sandbox/omnisend';

describe('Omnisend Export', () => {
	const sandbox = useSandbox();

	function exportNode(parameters: IDataObject = {}, extra: Partial<NodeSpec> = {}): NodeSpec {
		return { name: 'Export', type: 'omnisendExport', credentials: omnisendCredentials, parameters: { privacyAcknowledged: true, ...parameters }, ...extra };
	}

	async function run(nodes: NodeSpec[], items: IDataObject[], credentialOverrides: IDataObject = {}) {
		return await runWorkflow(chain(...nodes), {
			credentials: { omnisendExportApi: { ...sandbox().endpoints.omnisend, ...credentialOverrides } },
			startItems: items.map((json) => ({ json })),
		});
	}

	test('5,000 profiles through Segment Source: the valid unique contacts land with properties and segment tags', async () => {
		const set = makeProfiles(5000, 50, 100);
		const segments = { segment: [{ name: 'Everyone', conditions: {} }] };
		const result = await run(
			[
				{ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'items', segments } },
				exportNode({ emailStatus: 'subscribed', options: { updateExistingStatus: true }, customProperties: { property: [{ name: 'loyaltyTier', sourceField: 'loyaltyTier' }] } }),
			],
			set.profiles,
		);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ destination: 'omnisend', status: 'success', received: 4850, exported: 4850, rejected: 0, skipped: 0, notSent: 0, batches: 49 });
		const contacts = sandbox().omnisend.contacts();
		expect(contacts).toHaveLength(4850);
		expect(new Set(contacts.map((c) => c.email))).toEqual(new Set(set.validUnique));
		const contact = contacts.find((c) => c.email === 'member.2@shop2.example.com')!;
		expect(contact).toMatchObject({ status: 'subscribed' });
		expect(contact.properties).toEqual({
			firstName: 'First2',
			lastName: 'Last2',
			address: '2 Test Street',
			city: 'Berlin',
			state: 'BE',
			postalCode: '10002',
			country: 'Germany',
			countryCode: 'DE',
			customProperties: { loyaltyTier: 'bronze' },
		});
		expect([...contact.tags]).toEqual(['Everyone']);
		// Polling listed batches instead of asking about each of the 49.
		expect(summary.json.requestsByPurpose).toMatchObject({ import: 49 });
		expect((summary.json.requestsByPurpose as IDataObject).poll).toBeLessThan(10);
	});

	test('every request carries the API version header', async () => {
		await run([exportNode()], makeProfiles(250, 0, 0).profiles);
		expect(sandbox().requestsTo('omnisend').length).toBeGreaterThan(3);
		expect(sandbox().omnisend.requestsWithoutVersion).toBe(0);
		expect(sandbox().requestsTo('omnisend').every((entry) => entry.status !== 400)).toBe(true);
	});

	test('default mode sends no channel status and no welcome message: existing statuses stay, new contacts take Omnisend\'s default', async () => {
		sandbox().omnisend.seed('left@example.com', 'unsubscribed', '2024-05-01T10:00:00Z');
		sandbox().omnisend.seed('in@example.com', 'subscribed', '2024-05-01T10:00:00Z');
		const result = await run([exportNode()], [{ email: 'left@example.com', firstName: 'Still' }, { email: 'in@example.com' }, { email: 'new@example.com' }]);
		expect(result.output('Export', 0)[0].json).toMatchObject({ status: 'success', exported: 3 });
		const byEmail = new Map(sandbox().omnisend.contacts().map((c) => [c.email, c]));
		expect(byEmail.get('left@example.com')).toMatchObject({ status: 'unsubscribed', statusDate: '2024-05-01T10:00:00Z' });
		expect(byEmail.get('left@example.com')!.properties.firstName).toBe('Still');
		expect(byEmail.get('in@example.com')!.status).toBe('subscribed');
		expect(byEmail.get('new@example.com')!.status).toBe('nonSubscribed');
		expect(sandbox().omnisend.itemsWithStatus).toBe(0);
		expect(sandbox().omnisend.welcomeMessages).toBe(0);
	});

	test('a status applies to existing contacts too, so it is sent only with the explicit option; welcome messages only when turned on', async () => {
		sandbox().omnisend.seed('left@example.com', 'unsubscribed', '2024-05-01T10:00:00Z');
		const refused = await run([exportNode({ emailStatus: 'subscribed' })], [{ email: 'left@example.com' }]);
		expect(refused.nodeError('Export')!.message).toBe('Email Status "Subscribed" would also change contacts Omnisend already has');
		expect(sandbox().requestsTo('omnisend', '/batches')).toHaveLength(0);

		await run([exportNode({ emailStatus: 'subscribed', options: { updateExistingStatus: true, sendWelcomeMessage: true } })], [{ email: 'left@example.com' }, { email: 'new@example.com' }]);
		const byEmail = new Map(sandbox().omnisend.contacts().map((c) => [c.email, c]));
		expect(byEmail.get('left@example.com')!.status).toBe('subscribed');
		expect(byEmail.get('new@example.com')!.status).toBe('subscribed');
		expect(sandbox().omnisend.welcomeMessages).toBe(1);
	});

	test.each(['statusChangedAt', 'statusDate'] as const)('item results whose statuses carry %s are read', async (statusField) => {
		sandbox().omnisend.forms.statusField = statusField;
		const result = await run([exportNode({ emailStatus: 'nonSubscribed', options: { updateExistingStatus: true } })], [{ email: 'ok@example.com' }, { email: 'bad@mail.invalid' }]);
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 1, rejected: 1, notSent: 0 });
	});

	test('a 429 whose body says retryAfter is waited out as said', async () => {
		sandbox().injectFault({
			service: 'omnisend',
			kind: 'status',
			pathIncludes: '/batches',
			method: 'POST',
			times: 1,
			status: 429,
			body: { type: 'https://problems.omnisend.com/rate-limit-exceeded', title: 'Too Many Requests', status: 429, retryAfter: 0.3 },
		});
		const result = await run([exportNode()], [{ email: 'a@example.com' }]);
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 1, retries: 1 });
		const imports = sandbox().requestsTo('omnisend', '/batches').filter((entry) => entry.method === 'POST');
		expect(imports[1].startedAt - imports[0].endedAt).toBeGreaterThanOrEqual(298);
	});

	test('more than 100 tags: Long Values reject refuses the contact before sending, truncate keeps the first 100', async () => {
		const tags = Array.from({ length: 120 }, (_, i) => `tag-${i}`).join(',');
		const rejected = await run([exportNode({ options: { tags, tagWithSegments: false } })], [{ email: 'a@example.com' }]);
		expect(rejected.output('Export', 1)[0].json).toMatchObject({ email: 'a@example.com', reason: 'field_too_long', message: expect.stringContaining('keeps at most 100 entries') });
		expect(sandbox().requestsTo('omnisend', '/batches')).toHaveLength(0);
		const truncated = await run([exportNode({ options: { tags, tagWithSegments: false, longValues: 'truncate' } })], [{ email: 'a@example.com' }]);
		expect(truncated.output('Export', 0)[0].json).toMatchObject({ exported: 1, truncatedValues: 1 });
		expect(sandbox().omnisend.contacts()[0].tags.size).toBe(100);
	});

	test('60 values Omnisend refuses in one batch: clear reasons per contact; the batch Omnisend stopped is sent again, the export goes on', async () => {
		// No length is published for names: the sandbox's invented limit stands in for any per-item refusal.
		sandbox().omnisend.forms.fieldLengths = true;
		const long = Array.from({ length: 60 }, (_, i) => ({ email: `long.${i}@example.com`, firstName: 'N'.repeat(150) }));
		const fine = Array.from({ length: 140 }, (_, i) => ({ email: `fine.${i}@example.com` }));
		const result = await run([exportNode()], [...long, ...fine]);
		const [summary] = result.output('Export', 0);
		expect(result.nodeError('Export')).toBeUndefined();
		// The first batch stops after 50 errors; its 50 unprocessed items go again and finish.
		expect(summary.json).toMatchObject({ status: 'success', received: 200, exported: 140, rejected: 60, notSent: 0 });
		const rejectedItems = result.output('Export', 1).map((item) => item.json);
		expect(rejectedItems.every((item) => item.reason === 'rejected_by_destination')).toBe(true);
		expect(rejectedItems[0].message).toBe('Omnisend: refused "firstName" (String must contain at most 100 character(s))');
		expect(sandbox().omnisend.contacts()).toHaveLength(140);
	});

	test('a batch stopped again and again: unprocessed contacts are sent again at most 3 times, then end as not sent', async () => {
		Object.assign(sandbox().omnisend.forms, { fieldLengths: true, stopAfterErrors: 1 });
		const long = Array.from({ length: 5 }, (_, i) => ({ email: `long.${i}@example.com`, firstName: 'N'.repeat(150) }));
		const fine = Array.from({ length: 5 }, (_, i) => ({ email: `fine.${i}@example.com` }));
		const result = await run([exportNode({}, { continueOnFail: true })], [...long, ...fine]);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'partial', received: 10, exported: 0, rejected: 4, notSent: 6 });
		const notSent = result.output('Export', 1).filter((item) => item.json.reason === 'not_sent');
		expect(String(notSent[0].json.message)).toMatch(/^Not exported: Omnisend stopped batch [0-9a-f]+ after 1 errors before processing this contact/);
		expect(sandbox().requestsTo('omnisend', '/batches').filter((entry) => entry.method === 'POST')).toHaveLength(4);
	});

	test('item errors in a finished batch go to Rejected', async () => {
		const result = await run([exportNode()], [{ email: 'ok@example.com' }, { email: 'bad@mail.invalid' }]);
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 1, rejected: 1 });
		expect(result.output('Export', 1)[0].json).toEqual({ email: 'bad@mail.invalid', reason: 'rejected_by_destination', message: 'Omnisend: refused "identifiers.0.id" (Must be a valid email address)' });
	});

	test('a bad key fails before anything is sent, and keys never show', async () => {
		const bad = await run([exportNode()], [{ email: 'a@example.com' }], { apiKey: 'omni-wrong-key-42' });
		expect(bad.nodeError('Export')!.message).toBe('Omnisend refused the credentials (403: Invalid API key)');
		expect(serialized(bad.run)).not.toContain('omni-wrong-key-42');
		expect(sandbox().requestsTo('omnisend', '/batches')).toHaveLength(0);
		const good = await run([exportNode()], [{ email: 'a@example.com' }]);
		expect(serialized(good.run)).not.toContain(OMNISEND_TEST_API_KEY);
	});
});
