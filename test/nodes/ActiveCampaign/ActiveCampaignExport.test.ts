import type { IDataObject } from 'n8n-workflow';

import { makeProfiles, serialized, TEST_SCALE, useSandbox } from '../../harness/fixtures';
import { sentRequests, windowOverruns } from '../../harness/pacing';
import { logLines, runWorkflow } from '../../harness/run';
import { acCredentials, chain, type NodeSpec } from '../../harness/workflows';
import { AC_TEST_API_KEY } from '../../sandbox/activeCampaign';
import type { RequestLogEntry } from '../../sandbox/core';

/** After each 429, the account's next request waited at least its Retry-After (or `minimumMs` where the answer had none logged). */
function expectEvery429Honoured(requests: RequestLogEntry[], minimumMs = 0): void {
	requests.forEach((entry, index) => {
		if (entry.status !== 429) return;
		const next = requests.slice(index + 1).find((candidate) => candidate.startedAt >= entry.endedAt);
		// A timer may fire a millisecond early against another clock: allow that, no more.
		if (next) expect(next.startedAt - entry.endedAt).toBeGreaterThanOrEqual(Math.max(minimumMs, entry.retryAfterMs ?? 0) - 2);
	});
}

describe('ActiveCampaign Export', () => {
	const sandbox = useSandbox();

	function exportNode(parameters: IDataObject = {}, extra: Partial<NodeSpec> = {}): NodeSpec {
		return { name: 'Export', type: 'activeCampaignExport', credentials: acCredentials, parameters: { privacyAcknowledged: true, lists: ['1'], ...parameters }, ...extra };
	}

	async function run(nodes: NodeSpec[], items: IDataObject[], credentialOverrides: IDataObject = {}) {
		return await runWorkflow(chain(...nodes), {
			credentials: { activeCampaignExportApi: { ...sandbox().endpoints.activeCampaign, ...credentialOverrides } },
			startItems: items.map((json) => ({ json })),
		});
	}

	test('5,000 profiles through Segment Source: the valid unique contacts land with fields, tags and list', async () => {
		const set = makeProfiles(5000, 50, 100);
		const segments = { segment: [{ name: 'Everyone', conditions: {} }] };
		const result = await run([{ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'items', segments } }, exportNode({ lists: ['1', '2'], options: { tags: 'n8n-export' } })], set.profiles);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ destination: 'activeCampaign', target: '1,2', status: 'success', received: 4850, exported: 4850, rejected: 0, skipped: 0, notSent: 0, batches: 20 });
		expect(summary.json.jobIds).toHaveLength(20);
		expect(sandbox().activeCampaign.listMembers(2)).toHaveLength(4850);
		expect(new Set(sandbox().activeCampaign.listMembers(1).map((c) => c.email))).toEqual(new Set(set.validUnique));
		const contact = sandbox().activeCampaign.contacts().find((c) => c.email === 'member.2@shop2.example.com')!;
		expect(contact).toMatchObject({ first_name: 'First2', last_name: 'Last2', phone: '+15550000002' });
		expect([...contact.tags].sort()).toEqual(['Everyone', 'n8n-export']);
		// Address parts have no native field: they fill the custom fields of the same name.
		expect(contact.fields).toEqual({ 1: '2 Test Street', 2: 'Berlin', 3: 'BE', 4: '10002', 5: 'Germany', 6: 'bronze' });
		expect(sandbox().activeCampaign.importsWithAutomations).toBe(0);
	});

	test('paces to 5 requests per second and 100 bulk imports per minute over a long run, by its own timestamps', async () => {
		const set = makeProfiles(12_000, 0, 0);
		logLines.length = 0;
		const result = await run([exportNode({ options: { batchSize: 50 } })], set.profiles);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ exported: 12_000, batches: 240, notSent: 0 });
		// The engine's record of when each request left and when its answer came, against the windows
		// it paces to (sped up by the sandbox's scale): no window at the service can have overflowed.
		const sent = sentRequests(logLines);
		expect(sent.filter((request) => request.purpose === 'import')).toHaveLength(240 + Number(summary.json.retries));
		expect(windowOverruns(sent, 5, 1000 / TEST_SCALE)).toEqual([]);
		expect(windowOverruns(sent.filter((request) => request.purpose === 'import'), 100, 60_000 / TEST_SCALE)).toEqual([]);
		// A busy machine may still draw a 429 from the sandbox's clock; each one must have been honoured.
		expectEvery429Honoured(sandbox().requestsTo('activeCampaign'));
	});

	test('a 429 with Retry-After is honoured before the request is sent again', async () => {
		sandbox().injectFault({ service: 'activeCampaign', kind: 'status', pathIncludes: 'bulk_import', times: 1, status: 429, body: { message: 'Too Many Requests' }, headers: { 'Retry-After': '0.4' } });
		// One batch, so the request after the 429 is its retry.
		const result = await run([exportNode()], makeProfiles(200, 0, 0).profiles);
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 200, retries: 1 });
		expectEvery429Honoured(sandbox().requestsTo('activeCampaign'), 400);
	});

	test('contacts that fail validation are rejected and the rest of the batch is sent again; processing failures are mapped', async () => {
		const result = await run([exportNode()], [
			{ email: 'one@example.com' },
			{ email: 'excluded@mail.invalid' },
			{ email: 'two@example.com' },
		]);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ exported: 2, rejected: 1, notSent: 0 });
		expect(result.output('Export', 1)[0].json).toEqual({ email: 'excluded@mail.invalid', reason: 'rejected_by_destination', message: 'ActiveCampaign: the import did not take this contact (listed under failure)' });
	});

	test('a request refused for some contacts is re-sent without them', async () => {
		// The node's own check passes an address the service refuses at validation.
		sandbox().activeCampaign.refuseEmails.add('b@example.com');
		const result = await run([exportNode()], [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }]);
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 2, rejected: 1, notSent: 0 });
		expect(result.output('Export', 1)[0].json).toMatchObject({ email: 'b@example.com', reason: 'rejected_by_destination' });
		expect(sandbox().activeCampaign.contacts().map((c) => c.email).sort()).toEqual(['a@example.com', 'c@example.com']);
	});

	test('unsubscribed list members are not re-subscribed', async () => {
		sandbox().activeCampaign.seed('left@example.com', [[1, 2]]);
		await run([exportNode()], [{ email: 'left@example.com' }]);
		expect(sandbox().activeCampaign.contacts()[0].lists.get(1)).toBe(2);
	});

	test('a bad key fails before anything is sent and never shows; an unknown list is named', async () => {
		const bad = await run([exportNode()], [{ email: 'a@example.com' }], { apiKey: 'ac-wrong-key-77' });
		expect(bad.nodeError('Export')!.message).toMatch(/^ActiveCampaign refused the credentials \(403/);
		expect(serialized(bad.run)).not.toContain('ac-wrong-key-77');
		const unknown = await run([exportNode({ lists: ['99'] })], [{ email: 'a@example.com' }]);
		expect(unknown.nodeError('Export')!.message).toBe('ActiveCampaign has no list with ID 99');
		expect(sandbox().requestsTo('activeCampaign', 'bulk_import')).toHaveLength(0);
		const good = await run([exportNode()], [{ email: 'a@example.com' }]);
		expect(serialized(good.run)).not.toContain(AC_TEST_API_KEY);
	});
});
