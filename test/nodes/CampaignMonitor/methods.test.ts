import type { INode } from 'n8n-workflow';

import { useSandbox } from '../../harness/fixtures';
import { editorContext } from '../../harness/run';
import { PACKAGE_NAME } from '../../harness/package';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CampaignMonitorExport } = require('../../../dist/nodes/CampaignMonitor/CampaignMonitorExport.node.js');

describe('Campaign Monitor editor look-ups', () => {
	const sandbox = useSandbox();
	const node = (listId = ''): INode => ({
		id: '1',
		name: 'Export',
		type: `${PACKAGE_NAME}.campaignMonitorExport`,
		typeVersion: 1,
		position: [0, 0],
		parameters: { list: { __rl: true, mode: 'list', value: listId } },
		credentials: { campaignMonitorExportApi: { id: '1', name: 'sandbox' } },
	});
	const methods = new CampaignMonitorExport().methods;

	test('lists of every client, searchable', async () => {
		const context = editorContext(node(), { campaignMonitorExportApi: sandbox().endpoints.campaignMonitor });
		const all = await methods.listSearch.searchLists.call(context);
		expect(all.results).toEqual([
			{ name: 'Newsletter (Sandbox Retail)', value: 'cm-list-newsletter' },
			{ name: 'Outlet Shoppers (Sandbox Outlet)', value: 'cm-list-outlet' },
			{ name: 'VIP Customers (Sandbox Retail)', value: 'cm-list-vip' },
		]);
		const found = await methods.listSearch.searchLists.call(context, 'vip');
		expect(found.results).toEqual([{ name: 'VIP Customers (Sandbox Retail)', value: 'cm-list-vip' }]);
	});

	test("the chosen list's custom fields", async () => {
		const context = editorContext(node('cm-list-newsletter'), { campaignMonitorExportApi: sandbox().endpoints.campaignMonitor });
		const fields = await methods.loadOptions.getListCustomFields.call(context);
		expect(fields.map((field: { value: string }) => field.value)).toEqual(['[Address]', '[City]', '[State]', '[PostalCode]', '[Country]', '[LoyaltyTier]']);
	});
});
