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
				exportNode({ emailStatus: 'subscribed', customProperties: { property: [{ name: 'loyaltyTier', sourceField: 'loyaltyTier' }] } }),
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

	test('an unsubscribed contact stays unsubscribed with default options, and changes only when explicitly asked', async () => {
		sandbox().omnisend.seed('left@example.com', 'unsubscribed', '2024-05-01T10:00:00Z');
		await run([exportNode({ emailStatus: 'subscribed' })], [{ email: 'left@example.com', firstName: 'Still' }, { email: 'new@example.com' }]);
		const byEmail = new Map(sandbox().omnisend.contacts().map((c) => [c.email, c]));
		expect(byEmail.get('left@example.com')).toMatchObject({ status: 'unsubscribed', statusDate: '2024-05-01T10:00:00Z' });
		expect(byEmail.get('left@example.com')!.properties.firstName).toBe('Still');
		expect(byEmail.get('new@example.com')!.status).toBe('subscribed');

		await run([exportNode({ emailStatus: 'subscribed', options: { updateExistingStatus: true } })], [{ email: 'left@example.com' }]);
		expect(sandbox().omnisend.contacts().find((c) => c.email === 'left@example.com')!.status).toBe('subscribed');
	});

	test('a stopped batch is reported, not waited on forever', async () => {
		// 60 addresses Omnisend refuses stop the batch after 50 errors: the rest is never processed.
		const refused = Array.from({ length: 60 }, (_, i) => ({ email: `refused.${i}@mail.invalid` }));
		const fine = Array.from({ length: 40 }, (_, i) => ({ email: `fine.${i}@example.com` }));
		const result = await run([exportNode({}, { continueOnFail: true })], [...refused, ...fine]);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'partial', received: 100, exported: 0, rejected: 50, notSent: 50 });
		expect(String(summary.json.error)).toMatch(/^Omnisend stopped batch [0-9a-f]+ after 50 errors$/);
		const reasons = result.output('Export', 1).map((item) => item.json.reason);
		expect(reasons.filter((reason) => reason === 'rejected_by_destination')).toHaveLength(50);
		expect(reasons.filter((reason) => reason === 'not_sent')).toHaveLength(50);
	});

	test('item errors in a finished batch go to Rejected', async () => {
		const result = await run([exportNode()], [{ email: 'ok@example.com' }, { email: 'bad@mail.invalid' }]);
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 1, rejected: 1 });
		expect(result.output('Export', 1)[0].json).toEqual({ email: 'bad@mail.invalid', reason: 'rejected_by_destination', message: 'Omnisend: identifiers.0.id: Must be a valid email address' });
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
