import { destinationBySlug, DESTINATIONS, OMNISEND_TARGET_TAG } from './destinations';
import { useSandbox } from './harness/fixtures';
import { runWorkflow } from './harness/run';
import { chain } from './harness/workflows';

/** The registry's view of each sandbox: what is at the default target now, who opted out, a contact added by another tool. */
describe.each(DESTINATIONS)('$serviceName in the destination registry', (destination) => {
	const sandbox = useSandbox();

	test('Mirror is offered only where removal without an opt-out is documented', () => {
		expect(destination.mirror).toBe(destination.key === 'constantContact' || destination.key === 'omnisend');
	});

	// The registry's parameters are version 1's; Omnisend's default tag is given for version 2 too.
	test('an export to the default target is what `stored` lists; a contact added elsewhere shows too, not opted out', async () => {
		for (const version of destination.key === 'omnisend' ? [1, 2] : [1]) {
			const workflow = chain({ name: 'Export', type: destination.nodeType, credentials: destination.credentialRef, parameters: destination.parameters });
			workflow.nodes[1].typeVersion = version;
			const result = await runWorkflow(workflow, { credentials: { [destination.credentialType]: destination.credentials(sandbox()) }, startItems: [{ json: { email: `v${version}@example.com` } }] });
			expect(result.output('Export', 0)[0].json).toMatchObject({ exported: 1 });
			expect(destination.stored(sandbox())).toContain(`v${version}@example.com`);
		}
		destination.addElsewhere(sandbox(), 'someone-else@example.com');
		expect(destination.stored(sandbox())).toContain('someone-else@example.com');
		expect(destination.optedOut(sandbox(), 'someone-else@example.com')).toBe(false);
		expect(destination.optedOut(sandbox(), 'nobody@example.com')).toBe(false);
	});
});

describe('opt-outs as the registry reads them', () => {
	const sandbox = useSandbox();

	test('each sandbox\'s own opt-out state', () => {
		const [cm, cc, ac, omnisend] = ['campaignMonitor', 'constantContact', 'activeCampaign', 'omnisend'].map((key) => DESTINATIONS.find((destination) => destination.key === key)!);
		sandbox().campaignMonitor.seed('cm-list-newsletter', { EmailAddress: 'out@example.com', State: 'Unsubscribed' });
		sandbox().constantContact.seed('out@example.com', 'unsubscribed');
		sandbox().activeCampaign.seed('out@example.com', [[1, 2]]);
		sandbox().omnisend.seed('out@example.com', 'unsubscribed', undefined, [OMNISEND_TARGET_TAG]);
		for (const destination of [cm, cc, ac, omnisend]) expect([destination.key, destination.optedOut(sandbox(), 'Out@example.com')]).toEqual([destination.key, true]);
		// An unsubscribed Campaign Monitor subscriber is not at the target.
		expect(cm.stored(sandbox())).not.toContain('out@example.com');
	});
});

describe('benchmark floors', () => {
	test("ActiveCampaign's two limits hold at once: the last minute's 100 imports go at 5 a second, not at one instant", () => {
		const floor = destinationBySlug('active-campaign').bench.floorMs;
		const processing = floor(1, 250);
		expect(floor(5, 250) - processing).toBe(0);
		expect(floor(100, 250) - processing).toBe(19_000);
		expect(floor(101, 250) - processing).toBe(60_000);
		expect(floor(400, 250) - processing).toBe(3 * 60_000 + 19_000);
	});
});
