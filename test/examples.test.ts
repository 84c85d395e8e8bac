import { readFileSync } from 'fs';
import { join } from 'path';

import { useSandbox } from './harness/fixtures';
import { PACKAGE_ROOT } from './harness/package';
import { runWorkflow } from './harness/run';

const load = (file: string) => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', file), 'utf8'));

describe('example workflows run in-process against the sandbox', () => {
	const sandbox = useSandbox();

	test.each([
		['demo-campaign-monitor.json', 'campaignMonitorExportApi', 'campaignMonitor'],
		['scheduled-campaign-monitor.json', 'campaignMonitorExportApi', 'campaignMonitor'],
		['scheduled-constant-contact.json', 'constantContactExportOAuth2Api', 'constantContact'],
		['scheduled-active-campaign.json', 'activeCampaignExportApi', 'activeCampaign'],
		['scheduled-omnisend.json', 'omnisendExportApi', 'omnisend'],
	] as const)('%s', async (file, credentialType, endpoint) => {
		const workflow = load(file);
		const result = await runWorkflow(workflow, { credentials: { [credentialType]: sandbox().endpoints[endpoint] } });
		const exporter = workflow.nodes.find((node: { type: string }) => node.type.endsWith('Export')).name;
		const [summary] = result.output(exporter, 0);
		expect(summary.json).toMatchObject({ status: 'success', notSent: 0 });
		expect(Number(summary.json.exported)).toBeGreaterThan(200);
		expect(summary.json.received).toBe(Number(summary.json.exported) + Number(summary.json.rejected) + Number(summary.json.skipped));
	});
});
