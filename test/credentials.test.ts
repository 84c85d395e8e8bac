import { DESTINATIONS } from './destinations';
import { useSandbox } from './harness/fixtures';
import { testCredential } from './harness/run';

describe('credential tests, run the way n8n runs them', () => {
	const sandbox = useSandbox();

	test.each(DESTINATIONS)('$credentialType passes with the sandbox credential and fails with a wrong one', async (destination) => {
		const good = destination.credentials(sandbox());
		expect(await testCredential(destination.credentialType, good)).toBe(200);
		expect(await testCredential(destination.credentialType, { ...good, ...destination.credentialTest.wrong })).toBe(destination.credentialTest.refusedStatus);
		expect(sandbox().requestsTo(destination.key, destination.credentialTest.path)).toHaveLength(2);
	});
});
