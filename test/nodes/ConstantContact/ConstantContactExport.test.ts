import type { IDataObject } from 'n8n-workflow';

import { makeProfiles, serialized, useSandbox } from '../../harness/fixtures';
import { logLines, runWorkflow } from '../../harness/run';
import { ccCredentials, chain, type NodeSpec } from '../../harness/workflows';

const NEWSLETTER = '6f1c2a10-0000-4000-8000-000000000001';
const VIP = '6f1c2a10-0000-4000-8000-000000000002';

describe('Constant Contact Export', () => {
	const sandbox = useSandbox();

	function exportNode(parameters: IDataObject = {}, extra: Partial<NodeSpec> = {}): NodeSpec {
		return { name: 'Export', type: 'constantContactExport', credentials: ccCredentials, parameters: { privacyAcknowledged: true, lists: [NEWSLETTER], ...parameters }, ...extra };
	}

	async function run(nodes: NodeSpec[], items: IDataObject[], credentialOverrides: IDataObject = {}) {
		return await runWorkflow(chain(...nodes), {
			credentials: { constantContactExportOAuth2Api: { ...sandbox().constantContactCredentials(), ...credentialOverrides } },
			startItems: items.map((json) => ({ json })),
		});
	}

	test('5,000 profiles through Segment Source: exactly the valid unique contacts land in the lists, with mapped fields', async () => {
		const set = makeProfiles(5000, 50, 100);
		const result = await run([{ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'items' } }, exportNode({ lists: [NEWSLETTER, VIP] })], set.profiles);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ destination: 'constantContact', target: `${NEWSLETTER},${VIP}`, status: 'success', received: 4850, exported: 4850, rejected: 0, skipped: 0, notSent: 0, batches: 1, created: null, updated: null });
		expect((summary.json.jobIds as string[]).length).toBe(1);
		expect(result.output('Segment Source', 1)).toHaveLength(50);
		const members = sandbox().constantContact.listMembers(VIP);
		expect(members).toHaveLength(4850);
		expect(new Set(members.map((c) => c.email))).toEqual(new Set(set.validUnique));
		const first = sandbox().constantContact.contacts().find((c) => c.email === 'member.1@shop1.example.com')!;
		expect(first.fields).toEqual({ first_name: 'First1', last_name: 'Last1', phone: '+15550000001', street: '1 Test Street', city: 'Austin', state: 'TX', zip: '10001', country: 'United States' });
		expect(first.customFields).toEqual({ loyalty_tier: "gold" });
		expect(sandbox().constantContact.snapshot().peakPerSecond).toBeLessThanOrEqual(4);
	});

	test('an access token that expires mid-export is refreshed through n8n, with rotating refresh tokens', async () => {
		const set = makeProfiles(900, 0, 0);
		// Expire the token on the second import, and again on a later one: two refreshes, each with the newest token.
		sandbox().injectFault({ service: 'constantContact', kind: 'expire-token', pathIncludes: 'contacts_json_import', times: 1, after: 1 });
		sandbox().injectFault({ service: 'constantContact', kind: 'expire-token', pathIncludes: 'contacts_json_import', times: 1, after: 5 });
		const result = await run([exportNode({ options: { batchSize: 100 } })], set.profiles);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'success', exported: 900, notSent: 0, batches: 9 });
		expect(sandbox().constantContact.refreshes).toBe(2);
		expect(sandbox().constantContact.refreshTokenReuse).toBe(0);
		expect(result.credentials.tokenUpdates).toHaveLength(2);
		expect(sandbox().constantContact.listMembers(NEWSLETTER)).toHaveLength(900);
		const secrets = [...result.credentials.tokenUpdates.map((update) => (update.oauthTokenData as IDataObject).access_token as string), 'sandbox-cc-client-secret'];
		for (const secret of secrets) {
			expect(serialized(result.run.data.resultData)).not.toContain(secret);
			expect(serialized(logLines)).not.toContain(secret);
		}
	});

	test('wide contacts: requests are split by bytes and none reaches 4,000,000 bytes', async () => {
		const wide = Array.from({ length: 30_000 }, (_, i) => ({
			email: `wide.${i}@example.com`,
			firstName: 'F'.repeat(50),
			lastName: 'L'.repeat(50),
			address: 'S'.repeat(200),
			city: 'C'.repeat(50),
			state: 'T'.repeat(50),
			postalCode: 'Z'.repeat(20),
			country: 'N'.repeat(50),
			loyaltyTier: 'x'.repeat(200),
		}));
		const result = await run([exportNode()], wide);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ exported: 30_000, notSent: 0 });
		expect(Number(summary.json.batches)).toBeGreaterThan(1);
		const imports = sandbox().requestsTo('constantContact', 'contacts_json_import');
		expect(imports.length).toBe(summary.json.batches);
		for (const entry of imports) expect(entry.bytes).toBeLessThan(4_000_000);
		expect(sandbox().constantContact.snapshot()).toMatchObject({ silentlyDroppedContacts: 0, oversizedImports: 0 });
		expect(sandbox().constantContact.listMembers(NEWSLETTER)).toHaveLength(30_000);
	});

	test('quota_exceeded stops at once and reports what was and was not sent', async () => {
		const set = makeProfiles(500, 0, 0);
		sandbox().injectFault({
			service: 'constantContact',
			kind: 'status',
			pathIncludes: 'contacts_json_import',
			after: 2,
			times: 50,
			status: 429,
			body: { error_key: 'quota_exceeded', error_message: 'Daily request quota exceeded' },
		});
		const result = await run([exportNode({ options: { batchSize: 100 } }, { continueOnFail: true })], set.profiles);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'partial', received: 500, exported: 200, notSent: 300, retries: 0 });
		expect(summary.json.error).toBe("Constant Contact's daily request quota (10,000 requests per application) is used up");
		// One refused import, then nothing more is tried.
		expect(sandbox().requestsTo('constantContact', 'contacts_json_import')).toHaveLength(3);
		const rejected = result.output('Export', 1);
		expect(rejected).toHaveLength(300);
		expect(rejected[0].json.message).toBe("Not exported: Constant Contact's daily request quota (10,000 requests per application) is used up");
	});

	test('a quota hit while waiting for activities reports the submitted contacts as unconfirmed, and fails the run without Continue On Fail', async () => {
		const set = makeProfiles(200, 0, 0);
		sandbox().injectFault({ service: 'constantContact', kind: 'status', pathIncludes: '/activities', method: 'GET', times: 50, status: 429, body: { error_key: 'quota_exceeded' } });
		const result = await run([exportNode({ options: { batchSize: 100 } })], set.profiles);
		const error = result.nodeError('Export')!;
		expect(error.message).toBe("Constant Contact export stopped: Constant Contact's daily request quota (10,000 requests per application) is used up");
		expect(error.description).toContain('Received 200: exported 0, rejected 0, skipped 0, not sent 200');
	});

	test('activity errors and unsubscribed contacts go to Rejected with reasons', async () => {
		sandbox().constantContact.seed('gone@example.com', 'unsubscribed');
		const result = await run([exportNode()], [
			{ email: 'fine@example.com' },
			{ email: 'refused@host.invalid' },
			{ email: 'gone@example.com', firstName: 'Gone' },
		]);
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ exported: 1, rejected: 2, notSent: 0 });
		const rejected = result.output('Export', 1).map((item) => item.json);
		expect(rejected).toEqual(
			expect.arrayContaining([
				{ email: 'refused@host.invalid', reason: 'rejected_by_destination', message: 'Constant Contact: Line 2: email address is invalid: refused@host.invalid' },
				{ email: 'gone@example.com', reason: 'unsubscribed', message: 'Constant Contact: the contact unsubscribed and cannot be added to lists' },
			]),
		);
		expect(sandbox().constantContact.listMembers(NEWSLETTER).map((c) => c.email)).toEqual(['fine@example.com']);
	});

	test('an unknown list fails before anything is sent; a revoked grant fails clearly', async () => {
		const unknown = await run([exportNode({ lists: ['6f1c2a10-0000-4000-8000-00000000dead'] })], [{ email: 'a@example.com' }]);
		expect(unknown.nodeError('Export')!.message).toBe('Constant Contact has no list with ID "6f1c2a10-0000-4000-8000-00000000dead"');
		expect(sandbox().requestsTo('constantContact', 'contacts_json_import')).toHaveLength(0);

		const revoked = await run([exportNode()], [{ email: 'a@example.com' }], { oauthTokenData: { access_token: 'revoked', refresh_token: 'revoked-too', token_type: 'Bearer' } });
		expect(revoked.nodeError('Export')!.message).toMatch(/^Constant Contact refused the credentials \(401/);
		// An OAuth2 credential has no API key: the way out is to reconnect it.
		expect(revoked.nodeError('Export')!.description).toMatch(/^Reconnect the credential in n8n/);
		expect(serialized(revoked.run)).not.toContain('sandbox-cc-client-secret');
	});
});
