import type { IDataObject } from 'n8n-workflow';

import { makeProfiles, serialized, useSandbox } from '../../harness/fixtures';
import { logLines, runWorkflow } from '../../harness/run';
import { chain, cmCredentials, type NodeSpec } from '../../harness/workflows';
import { CM_TEST_API_KEY } from '../../sandbox/campaignMonitor';

const LIST = 'cm-list-newsletter';

describe('Campaign Monitor Export', () => {
	const sandbox = useSandbox();

	const credentials = (overrides: IDataObject = {}) => ({ campaignMonitorExportApi: { ...sandbox().endpoints.campaignMonitor, ...overrides } });

	function exportNode(parameters: IDataObject = {}, extra: Partial<NodeSpec> = {}): NodeSpec {
		return {
			name: 'Export',
			type: 'campaignMonitorExport',
			credentials: cmCredentials,
			parameters: { privacyAcknowledged: true, list: { __rl: true, mode: 'id', value: LIST }, ...parameters },
			...extra,
		};
	}

	async function exportItems(profiles: IDataObject[], parameters: IDataObject = {}, extra: Partial<NodeSpec> = {}, credentialOverrides: IDataObject = {}) {
		const result = await runWorkflow(chain(exportNode(parameters, extra)), {
			credentials: credentials(credentialOverrides),
			startItems: profiles.map((json) => ({ json })),
		});
		return result;
	}

	function expectAccountingAddsUp(summary: IDataObject) {
		expect(summary.received).toBe(Number(summary.exported) + Number(summary.rejected) + Number(summary.skipped) + Number(summary.notSent));
	}

	test('5,000 profiles through Segment Source: exactly the 4,850 valid unique contacts land, with mapped fields', async () => {
		const set = makeProfiles(5000, 50, 100);
		const result = await runWorkflow(chain({ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'items' } }, exportNode()), {
			credentials: credentials(),
			startItems: set.profiles.map((json) => ({ json })),
		});

		const members = result.output('Segment Source', 0);
		const invalid = result.output('Segment Source', 1);
		expect(members).toHaveLength(4850);
		expect(invalid).toHaveLength(50);
		expect(invalid.every((item) => ['missing_email', 'invalid_email'].includes(String(item.json.reason)) && Number(item.json.row) > 0)).toBe(true);
		const hints = result.run.data.resultData.runData['Segment Source'][0].hints ?? [];
		expect(hints.map((hint) => hint.message).join('\n')).toContain('Rows in: 5000 = members 4850 + merged duplicates 100 + invalid 50');

		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ destination: 'campaignMonitor', target: LIST, status: 'success', received: 4850, exported: 4850, created: 4850, updated: 0, rejected: 0, skipped: 0, notSent: 0, batches: 5 });
		expectAccountingAddsUp(summary.json);
		expect(result.output('Export', 1)).toHaveLength(0);

		const stored = sandbox().campaignMonitor.subscribers(LIST);
		expect(stored).toHaveLength(4850);
		expect(new Set(stored.map((s) => s.EmailAddress))).toEqual(new Set(set.validUnique));
		const first = stored.find((s) => s.EmailAddress === 'member.0@shop0.example.com')!;
		expect(first).toMatchObject({
			Name: 'First0 Last0',
			MobileNumber: '+15550000000',
			State: 'Active',
			CustomFields: { '[Address]': '0 Test Street', '[City]': 'Seattle', '[State]': 'WA', '[PostalCode]': '10000', '[Country]': 'United States', '[LoyaltyTier]': 'bronze' },
		});
		expect(sandbox().campaignMonitor.silentlyTruncated).toBe(0);
	});

	test('the exporter accounts for its own invalid and duplicate input', async () => {
		const set = makeProfiles(300, 10, 20);
		const result = await exportItems(set.profiles);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ received: 300, exported: 270, rejected: 10, skipped: 20, notSent: 0 });
		expectAccountingAddsUp(summary.json);
		const rejected = result.output('Export', 1);
		expect(rejected).toHaveLength(30);
		expect(rejected.filter((item) => item.json.reason === 'duplicate')).toHaveLength(20);
		expect(rejected.filter((item) => ['missing_email', 'invalid_email'].includes(String(item.json.reason)))).toHaveLength(10);
		for (const item of rejected) {
			expect(Object.keys(item.json).sort()).toEqual(['email', 'message', 'reason']);
			expect(item.pairedItem).toEqual({ item: expect.any(Number) });
			expect(String(item.json.message)).toMatch(/^Input item \d+/);
		}
		expect(sandbox().campaignMonitor.subscribers(LIST)).toHaveLength(270);
	});

	test('a 400 with code 210 rejects only the failed contacts', async () => {
		const profiles = [
			{ email: 'good.one@example.com' },
			{ email: 'refused@mailbox.example.invalid' },
			{ email: 'good.two@example.com' },
		];
		const result = await exportItems(profiles);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'success', exported: 2, rejected: 1, notSent: 0, retries: 0 });
		const [rejected] = result.output('Export', 1);
		expect(rejected.json).toEqual({ email: 'refused@mailbox.example.invalid', reason: 'rejected_by_destination', message: 'Campaign Monitor: Invalid Email Address (code 1)' });
		expect(rejected.pairedItem).toEqual({ item: 1 });
		expect(sandbox().campaignMonitor.subscribers(LIST).map((s) => s.EmailAddress).sort()).toEqual(['good.one@example.com', 'good.two@example.com']);
	});

	test('429 bursts with and without rate-limit headers are waited out; every contact lands once', async () => {
		const set = makeProfiles(3000, 0, 0);
		sandbox().injectFault({ service: 'campaignMonitor', kind: 'status', pathIncludes: '/import.json', times: 2, status: 429, body: { Code: 429, Message: 'Rate limit exceeded' }, headers: { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '0.2' } });
		sandbox().injectFault({ service: 'campaignMonitor', kind: 'status', pathIncludes: '/import.json', times: 2, after: 1, status: 429, body: { Code: 429, Message: 'Subscriber was added too many times too quickly, try again later.' } });
		const result = await exportItems(set.profiles, { options: { batchSize: 500 } });
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'success', exported: 3000, notSent: 0, retries: 4, batches: 6 });
		expect(sandbox().campaignMonitor.subscribers(LIST)).toHaveLength(3000);
		expect(sandbox().requestsTo('campaignMonitor', '/import.json').filter((r) => r.status === 429)).toHaveLength(4);
	});

	test('the sandbox rate limit is respected from the X-RateLimit headers without hitting 429', async () => {
		const set = makeProfiles(2500, 0, 0);
		// 60 requests per window: 250 imports of 10 must wait for at least four window resets.
		const result = await exportItems(set.profiles, { options: { batchSize: 10 } });
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ exported: 2500, batches: 250, notSent: 0 });
		expect(sandbox().requestsTo('campaignMonitor').filter((r) => r.status === 429)).toHaveLength(0);
		expect(summary.json.retries).toBe(0);
	});

	test('5xx answers and connections dropped before and after processing are retried without duplicates', async () => {
		const set = makeProfiles(4000, 0, 0);
		const faults = [
			{ kind: 'status' as const, status: 500, body: { Code: 500, Message: 'Internal error' } },
			{ kind: 'status' as const, status: 503, body: undefined },
			{ kind: 'drop-before' as const },
			{ kind: 'drop-after' as const },
		];
		faults.forEach((fault, index) => sandbox().injectFault({ service: 'campaignMonitor', pathIncludes: '/import.json', times: 1, after: index, ...fault }));
		const result = await exportItems(set.profiles);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'success', exported: 4000, rejected: 0, notSent: 0, retries: 4, batches: 4 });
		expectAccountingAddsUp(summary.json);
		// The batch processed before its connection dropped was sent again and counted once, as existing.
		expect(Number(summary.json.created) + Number(summary.json.updated)).toBe(4000);
		const stored = sandbox().campaignMonitor.subscribers(LIST);
		expect(stored).toHaveLength(4000);
		expect(new Set(stored.map((s) => s.EmailAddress)).size).toBe(4000);
		expect(sandbox().requestsTo('campaignMonitor', '/import.json').filter((r) => r.status === 'dropped')).toHaveLength(2);
	});

	test('a slow answer is waited for', async () => {
		sandbox().injectFault({ service: 'campaignMonitor', pathIncludes: '/import.json', kind: 'slow', delayMs: 1500, times: 1 });
		const result = await exportItems(makeProfiles(10, 0, 0).profiles);
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 10, retries: 0 });
	});

	test('when retries run out the run fails with the counts, or with Continue On Fail reports the rest as not sent', async () => {
		const set = makeProfiles(2500, 0, 0);
		// A short Retry-After keeps the test quick; the back-off without one is covered above.
		const outage = { service: 'campaignMonitor', pathIncludes: '/import.json', kind: 'status' as const, status: 503, headers: { 'Retry-After': '0.01' }, times: 100, after: 1 };
		sandbox().injectFault(outage);
		const failed = await exportItems(set.profiles);
		const error = failed.nodeError('Export')!;
		expect(error.message).toMatch(/Campaign Monitor export stopped: Campaign Monitor still failed after 8 attempts/);
		expect(error.description).toContain('Received 2500: exported 1000, rejected 0, skipped 0, not sent 1500');

		sandbox().reset();
		sandbox().injectFault(outage);
		const continued = await exportItems(set.profiles, {}, { continueOnFail: true });
		const [summary] = continued.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'partial', received: 2500, exported: 1000, notSent: 1500 });
		expect(String(summary.json.error)).toMatch(/still failed after 8 attempts/);
		const rejected = continued.output('Export', 1);
		expect(rejected).toHaveLength(1500);
		expect(rejected.every((item) => item.json.reason === 'not_sent')).toBe(true);
		expect(sandbox().campaignMonitor.subscribers(LIST)).toHaveLength(1000);
	});

	test('a bad API key fails clearly before anything is sent, and the key appears nowhere', async () => {
		const badKey = 'wrong-key-5f1c9a7e-secret';
		logLines.length = 0;
		const result = await exportItems(makeProfiles(20, 0, 0).profiles, {}, {}, { apiKey: badKey });
		const error = result.nodeError('Export')!;
		expect(error.message).toBe('Campaign Monitor refused the credentials (401: Invalid API key)');
		expect(sandbox().requestsTo('campaignMonitor', '/import.json')).toHaveLength(0);
		expect(serialized(result.run)).not.toContain(badKey);
		expect(serialized(logLines)).not.toContain(badKey);
		expect(serialized(result.run)).not.toContain(Buffer.from(`${badKey}:x`).toString('base64'));
	});

	test('the API key never appears in outputs or logs of a successful run, nor contact data in logs', async () => {
		logLines.length = 0;
		const result = await exportItems(makeProfiles(50, 2, 2).profiles);
		expect(serialized(result.run)).not.toContain(CM_TEST_API_KEY);
		expect(serialized(logLines)).not.toContain(CM_TEST_API_KEY);
		expect(serialized(logLines)).not.toMatch(/@shop\d\.example\.com|First\d+/);
		expect(logLines.some((line) => /Campaign Monitor export finished: received 50, exported 46, rejected 2, skipped 2/.test(line.message))).toBe(true);
	});

	test('an unknown list fails before anything is sent', async () => {
		const result = await exportItems(makeProfiles(5, 0, 0).profiles, { list: { __rl: true, mode: 'id', value: 'no-such-list' } });
		expect(result.nodeError('Export')!.message).toBe('Campaign Monitor has no list with ID "no-such-list"');
		expect(sandbox().requestsTo('campaignMonitor', '/import.json')).toHaveLength(0);
	});

	test('more contacts than the cap, or no privacy acknowledgement: nothing is sent at all', async () => {
		const capped = await exportItems(makeProfiles(11, 0, 0).profiles, { options: { maxContacts: 10 } });
		expect(capped.nodeError('Export')!.message).toBe("11 contacts received, more than this node's limit of 10");
		const unacknowledged = await exportItems(makeProfiles(5, 0, 0).profiles, { privacyAcknowledged: false });
		expect(unacknowledged.nodeError('Export')!.message).toBe('Confirm that this personal data may be sent before running the export');
		expect(sandbox().requests).toHaveLength(0);
	});

	test('plain http is refused for a host that is not loopback', async () => {
		const result = await exportItems(makeProfiles(5, 0, 0).profiles, {}, {}, { baseUrl: 'http://api.createsend.com/api/v3.3' });
		expect(result.nodeError('Export')!.message).toBe('Plain http is refused for api.createsend.com: use https');
		expect(sandbox().requests).toHaveLength(0);
	});

	test('values over 250 characters are rejected, or truncated and counted, never cut silently', async () => {
		const profiles = [
			{ email: 'short@example.com', city: 'Lyon' },
			{ email: 'long@example.com', city: 'x'.repeat(300) },
		];
		const rejecting = await exportItems(profiles);
		expect(rejecting.output('Export', 0)[0].json).toMatchObject({ exported: 1, rejected: 1, truncatedValues: 0 });
		expect(rejecting.output('Export', 1)[0].json).toEqual({
			email: 'long@example.com',
			reason: 'field_too_long',
			message: 'Input item 1: Field "City" has 300 characters; Campaign Monitor keeps at most 250',
		});

		const truncating = await exportItems(profiles, { options: { longValues: 'truncate' } });
		expect(truncating.output('Export', 0)[0].json).toMatchObject({ exported: 2, rejected: 0, truncatedValues: 1 });
		const stored = sandbox().campaignMonitor.subscribers(LIST).find((s) => s.EmailAddress === 'long@example.com')!;
		expect(stored.CustomFields['[City]']).toHaveLength(250);
		expect(sandbox().campaignMonitor.silentlyTruncated).toBe(0);
	});

	test('unsubscribed people stay unsubscribed unless Resubscribe is on', async () => {
		sandbox().campaignMonitor.seed(LIST, { EmailAddress: 'left@example.com', State: 'Unsubscribed', Name: 'Old Name' });
		const result = await exportItems([{ email: 'Left@Example.com', firstName: 'New', lastName: 'Name' }]);
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 0, rejected: 1 });
		expect(result.output('Export', 1)[0].json).toMatchObject({ email: 'left@example.com', reason: 'rejected_by_destination', message: expect.stringContaining('(code 206;') });
		expect(sandbox().campaignMonitor.subscribers(LIST)[0]).toMatchObject({ State: 'Unsubscribed', Name: 'Old Name' });

		await exportItems([{ email: 'left@example.com' }], { options: { resubscribe: true } });
		expect(sandbox().campaignMonitor.subscribers(LIST)[0].State).toBe('Active');
	});

	test('explicit mappings, one-field names, no mobile number and consent are sent as chosen', async () => {
		const result = await exportItems([{ mail: 'Mapped@Example.com', fullName: 'Ada Lovelace', town: 'London', phone: '+441234', City: 'ignored' }], {
			emailField: 'mail',
			nameSource: 'field',
			nameField: 'fullName',
			mobileNumberField: '',
			customFields: { mapping: [{ key: '[City]', sourceField: 'town' }] },
			options: { consentToTrack: 'yes' },
		});
		expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 1 });
		expect(sandbox().campaignMonitor.subscribers(LIST)[0]).toEqual(
			expect.objectContaining({ EmailAddress: 'mapped@example.com', Name: 'Ada Lovelace', ConsentToTrack: 'yes', CustomFields: { '[City]': 'London' } }),
		);
		expect(sandbox().campaignMonitor.subscribers(LIST)[0].MobileNumber).toBeUndefined();
	});

	test('a mapping to a custom field the list does not have fails before sending', async () => {
		const result = await exportItems([{ email: 'a@example.com' }], { customFields: { mapping: [{ key: '[Shoe Size]', sourceField: 'size' }] } });
		expect(result.nodeError("Export")!.message).toBe('The list has no custom field "[Shoe Size]"');
		expect(sandbox().requestsTo('campaignMonitor', '/import.json')).toHaveLength(0);
	});

	test('batch items (json.members) are exported, with Rejected paired to the batch item', async () => {
		const set = makeProfiles(1500, 0, 0);
		const batches = [{ members: set.profiles.slice(0, 1000) }, { members: [...set.profiles.slice(1000), { email: 'broken' }] }];
		const result = await exportItems(batches);
		expect(result.output('Export', 0)[0].json).toMatchObject({ received: 1501, exported: 1500, rejected: 1 });
		expect(result.output('Export', 1)[0].pairedItem).toEqual({ item: 1 });
		expect(result.output('Export', 1)[0].json.message).toBe('Input item 1, member 500: Field "email" is not a valid e-mail address');
	});
});
