import { readFileSync } from 'fs';
import { join } from 'path';
import type { IDataObject, INodeProperties, INodeTypeDescription, IWorkflowBase } from 'n8n-workflow';

import { DESTINATIONS } from '../destinations';
import { useSandbox } from '../harness/fixtures';
import { PACKAGE_ROOT, PackageNodeTypes } from '../harness/package';
import { editorContext, runWorkflow } from '../harness/run';
import { chain, cmCredentials, type NodeSpec } from '../harness/workflows';

const nodeTypes = new PackageNodeTypes();
const EXPORTERS = ['campaignMonitorExport', 'constantContactExport', 'activeCampaignExport', 'omnisendExport'];
const describeVersion = (name: string, version: number): INodeTypeDescription => nodeTypes.getByNameAndVersion(`n8n-nodes-segment-export.${name}`, version).description;

/** A chain whose package nodes are at version 2. */
function chainV2(...specs: NodeSpec[]): Pick<IWorkflowBase, 'nodes' | 'connections'> {
	const workflow = chain(...specs);
	for (const node of workflow.nodes) if (node.type.startsWith('n8n-nodes-segment-export.')) node.typeVersion = 2;
	return workflow;
}

const VIP = { __rl: true, mode: 'list', value: 'cm-list-vip', cachedResultName: 'VIP Customers (Sandbox Retail)' };

describe('node version 2', () => {
	const sandbox = useSandbox();
	const credentials = () => ({ campaignMonitorExportApi: sandbox().endpoints.campaignMonitor });
	const exporter: NodeSpec = { name: 'Export', type: 'campaignMonitorExport', credentials: cmCredentials, parameters: { privacyAcknowledged: true, list: VIP } };

	test.each(EXPORTERS)('%s: version 2 is the default, shows the privacy notice with a short label, and is not an AI tool; version 1 still is', (name) => {
		const latest = nodeTypes.getByName(`n8n-nodes-segment-export.${name}`);
		expect('nodeVersions' in latest && latest.currentVersion).toBe(2);
		const v2 = describeVersion(name, 2);
		const privacy = v2.properties.find((property) => property.name === 'privacyAcknowledged')!;
		expect(privacy.displayName.length).toBeLessThanOrEqual(26);
		expect(privacy.displayName).toMatch(/^Send to /);
		expect(v2.properties.find((property) => property.name === 'privacyNotice')?.type).toBe('notice');
		expect(v2.usableAsTool).toBeUndefined();
		expect(v2.subtitle).not.toContain('list(s)');
		const v1 = describeVersion(name, 1);
		expect(v1.usableAsTool).toBe(true);
		expect(v1.properties[0]).toMatchObject({ name: 'privacyAcknowledged', displayName: expect.stringMatching(/^I confirm this personal data may be sent to /) });
	});

	test('defaults that change what happens to people are visible parameters in version 2, options in version 1', () => {
		const topLevel = (name: string, version: number) => describeVersion(name, version).properties.map((property) => property.name);
		const optionNames = (name: string, version: number) =>
			((describeVersion(name, version).properties.find((property) => property.name === 'options')?.options ?? []) as INodeProperties[]).map((option) => option.name);
		expect(topLevel('activeCampaignExport', 2)).toEqual(expect.arrayContaining(['excludeAutomations', 'tagWithSegments', 'tags', 'fieldMapNotice']));
		expect(optionNames('activeCampaignExport', 2)).not.toContain('excludeAutomations');
		expect(optionNames('activeCampaignExport', 1)).toEqual(expect.arrayContaining(['excludeAutomations', 'tagWithSegments', 'tags']));
		expect(topLevel('omnisendExport', 2)).toEqual(expect.arrayContaining(['tagWithSegments', 'tags', 'audienceNotice']));
		expect(optionNames('omnisendExport', 1)).toEqual(expect.arrayContaining(['tagWithSegments', 'tags']));
		for (const name of ['constantContactExport', 'activeCampaignExport']) {
			const lists = describeVersion(name, 2).properties.find((property) => property.name === 'lists')!;
			expect(lists.type).toBe('fixedCollection');
			expect(JSON.stringify(lists)).toContain('"type":"resourceLocator"');
		}
	});

	test('a webhook-style run: the exporter Summary leads with its message and carries Segment Source\'s accounting', async () => {
		const profiles = [
			{ email: 'ana@example.com', firstName: 'Ana' },
			{ email: 'ANA@example.com ', lastName: 'Lopes' },
			{ email: 'ben@example.com', firstName: 'Ben' },
			{ email: 'not-an-email' },
			{ firstName: 'No address' },
		];
		const result = await runWorkflow(chainV2({ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'items' } }, exporter), {
			credentials: credentials(),
			startItems: profiles.map((json) => ({ json })),
		});
		const members = result.output('Segment Source', 0);
		expect(members).toHaveLength(3);
		expect(members[2].json).toMatchObject({ segmentSourceAccounting: true, members: [], accounting: { rows: 5, members: 2, merged: 1, invalid: 2, notInAnySegment: 0 } });

		const summary = result.output('Export', 0)[0].json;
		expect(Object.keys(summary)[0]).toBe('message');
		expect(summary).toMatchObject({
			destination: 'campaignMonitor',
			destinationName: 'Campaign Monitor',
			target: 'cm-list-vip',
			targetName: 'VIP Customers (Sandbox Retail)',
			received: 2,
			exported: 2,
			segmentSource: { rows: 5, members: 2, merged: 1, invalid: 2, invalidByReason: { invalid_email: 1, missing_email: 1 } },
		});
		expect((summary.segmentSource as IDataObject).invalidRows).toHaveLength(2);
		expect(summary.message).toBe('Exported 2 of 2 to Campaign Monitor list VIP Customers (Sandbox Retail); Segment Source: 5 rows → 2 members (1 merged duplicate, 2 invalid)');
	});

	test('no member at all: the exporter still answers, with a zero Summary and the accounting', async () => {
		const result = await runWorkflow(chainV2({ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'items' } }, exporter), {
			credentials: credentials(),
			startItems: [{ json: { email: 'nope' } }, { json: { email: '' } }],
		});
		const summary = result.output('Export', 0)[0].json;
		expect(summary).toMatchObject({ status: 'success', received: 0, exported: 0, segmentSource: { rows: 2, members: 0, invalid: 2 } });
		expect(summary.message).toMatch(/^Nothing to export to Campaign Monitor list VIP Customers \(Sandbox Retail\): no members came in; Segment Source: 2 rows → 0 members \(2 invalid\)$/);
		// Nothing to send, nothing to check: the service is not asked anything.
		expect(summary.requests).toBe(0);
	});

	test('rejections are explained by reason in the message', async () => {
		const result = await runWorkflow(chainV2(exporter), {
			credentials: credentials(),
			startItems: [{ json: { email: 'ok@example.com' } }, { json: { email: 'bad@' } }, { json: { email: 'ok@example.com' } }],
		});
		const summary = result.output('Export', 0)[0].json;
		expect(summary.rejectedByReason).toEqual({ invalid_email: 1 });
		expect(summary.message).toBe('Exported 1 of 3 to Campaign Monitor list VIP Customers (Sandbox Retail); 1 rejected: 1 invalid address; 1 duplicate skipped');
	});

	test('Segment Source version 1 adds no accounting item unless asked', async () => {
		const run = async (options: IDataObject) =>
			(await runWorkflow(chain({ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'items', options } }), { startItems: [{ json: { email: 'a@example.com' } }] })).output('Segment Source', 0);
		expect(await run({})).toHaveLength(1);
		expect((await run({ accountingItem: true }))[1].json.segmentSourceAccounting).toBe(true);
	});

	test('every example workflow uses version 2 and names its lists', () => {
		const examples = ['demo-campaign-monitor', 'on-demand-webhook', 'scheduled-campaign-monitor', 'scheduled-constant-contact', 'scheduled-active-campaign', 'scheduled-omnisend'];
		for (const file of examples) {
			const workflow = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', `${file}.json`), 'utf8')) as IWorkflowBase;
			for (const node of workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-segment-export.'))) {
				expect([file, node.typeVersion]).toEqual([file, 2]);
				const text = JSON.stringify(node.parameters);
				if (text.includes('"__rl"')) {
					expect(text).toContain('"cachedResultName"');
					expect(text).not.toContain('"mode":"id"');
				}
			}
		}
	});

	test.each([
		['ConstantContact/ConstantContactExport.node.js', 'ConstantContactExport', 'constantContactExport', 'constantContactExportOAuth2Api', 'constantContact'],
		['ActiveCampaign/ActiveCampaignExport.node.js', 'ActiveCampaignExport', 'activeCampaignExport', 'activeCampaignExportApi', 'activeCampaign'],
	])('%s version 2 searches the lists by name for its list pickers', async (file, className, nodeType, credentialType, endpoint) => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const NodeType = require(`${PACKAGE_ROOT}/dist/nodes/${file}`)[className];
		const searchLists = new NodeType().nodeVersions[2].methods.listSearch.searchLists as (this: unknown, filter?: string) => Promise<{ results: Array<{ name: string; value: string }> }>;
		const node = { id: '1', name: 'Export', type: `n8n-nodes-segment-export.${nodeType}`, typeVersion: 2, position: [0, 0] as [number, number], parameters: {}, credentials: { [credentialType]: { id: '1', name: 'sandbox' } } };
		const context = editorContext(node, { [credentialType]: DESTINATIONS.find((destination) => destination.key === endpoint)!.credentials(sandbox()) });
		expect((await searchLists.call(context)).results.map((result) => result.name)).toEqual(['Events', 'Newsletter', 'VIP Customers']);
		expect((await searchLists.call(context, 'vip')).results.map((result) => result.name)).toEqual(['VIP Customers']);
	});

	test('codex files name categories, docs and aliases for every node, and the build copies them next to the node', () => {
		const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
		for (const entry of manifest.n8n.nodes) {
			const codex = JSON.parse(readFileSync(join(PACKAGE_ROOT, `${entry}on`), 'utf8'));
			expect(codex.categories.length).toBeGreaterThan(0);
			expect(codex.resources.primaryDocumentation[0].url).toMatch(/^https:\/\//);
			expect(codex.alias.length).toBeGreaterThan(0);
			expect(codex.node).toMatch(/^n8n-nodes-segment-export\./);
		}
	});
});
