import { useSandbox } from './harness/fixtures';
import { testCredential } from './harness/run';

describe('credential tests, run the way n8n runs them', () => {
	const sandbox = useSandbox();

	test.each([
		['campaignMonitorExportApi', 'campaignMonitor', { apiKey: 'wrong' }, 401, '/systemdate.json'],
		['activeCampaignExportApi', 'activeCampaign', { apiKey: 'wrong' }, 403, '/api/3/users/me'],
		['omnisendExportApi', 'omnisend', { apiKey: 'wrong' }, 403, '/brands/current'],
	] as const)('%s passes with the sandbox key and fails with a wrong one', async (type, service, wrong, status, path) => {
		const good = sandbox().endpoints[service];
		expect(await testCredential(type, good)).toBe(200);
		expect(await testCredential(type, { ...good, ...wrong })).toBe(status);
		expect(sandbox().requestsTo(service, path)).toHaveLength(2);
	});

	test('constantContactExportOAuth2Api passes with a live token and fails with a revoked one', async () => {
		const credentials = sandbox().constantContactCredentials();
		expect(await testCredential('constantContactExportOAuth2Api', credentials)).toBe(200);
		expect(await testCredential('constantContactExportOAuth2Api', { ...credentials, oauthTokenData: { access_token: 'revoked' } })).toBe(401);
	});
});
