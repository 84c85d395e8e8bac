import { readFileSync } from 'fs';
import { join } from 'path';

import type { DestinationCase } from './destinations';
import { DESTINATIONS } from './destinations';
import { useSandbox } from './harness/fixtures';
import { PACKAGE_ROOT } from './harness/package';
import { runWorkflow } from './harness/run';

const load = (file: string) => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', file), 'utf8'));
const campaignMonitor = DESTINATIONS.find((destination) => destination.key === 'campaignMonitor')!;

describe('example workflows run in-process against the sandbox', () => {
	const sandbox = useSandbox();

	test.each<[string, DestinationCase]>([
		['demo-campaign-monitor.json', campaignMonitor],
		...DESTINATIONS.map((destination): [string, DestinationCase] => [`scheduled-${destination.slug}.json`, destination]),
	])('%s', async (file, destination) => {
		const workflow = load(file);
		const result = await runWorkflow(workflow, { credentials: { [destination.credentialType]: destination.credentials(sandbox()) } });
		const exporter = workflow.nodes.find((node: { type: string }) => node.type.endsWith('Export')).name;
		const [summary] = result.output(exporter, 0);
		expect(summary.json).toMatchObject({ status: 'success', notSent: 0 });
		expect(Number(summary.json.exported)).toBeGreaterThan(200);
		expect(summary.json.received).toBe(Number(summary.json.exported) + Number(summary.json.rejected) + Number(summary.json.skipped));
	});
});
