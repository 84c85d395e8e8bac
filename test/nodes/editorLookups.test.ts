import type { INode } from 'n8n-workflow';

import { useSandbox } from '../harness/fixtures';
import { PACKAGE_NAME } from '../harness/package';
import { editorContext } from '../harness/run';

/* eslint-disable @typescript-eslint/no-require-imports */
const { ConstantContactExport } = require('../../dist/nodes/ConstantContact/ConstantContactExport.node.js');
const { ActiveCampaignExport } = require('../../dist/nodes/ActiveCampaign/ActiveCampaignExport.node.js');
/* eslint-enable @typescript-eslint/no-require-imports */

const node = (type: string, credential: string): INode => ({
	id: '1',
	name: 'Export',
	type: `${PACKAGE_NAME}.${type}`,
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
	credentials: { [credential]: { id: '1', name: 'sandbox' } },
});

describe('editor look-ups of lists and custom fields', () => {
	const sandbox = useSandbox();

	test('Constant Contact lists and custom fields (through OAuth2)', async () => {
		const context = editorContext(node('constantContactExport', 'constantContactExportOAuth2Api'), { constantContactExportOAuth2Api: sandbox().constantContactCredentials() });
		const { loadOptions } = new ConstantContactExport().methods;
		expect(await loadOptions.getContactLists.call(context)).toEqual([
			{ name: 'Events', value: '6f1c2a10-0000-4000-8000-000000000003' },
			{ name: 'Newsletter', value: '6f1c2a10-0000-4000-8000-000000000001' },
			{ name: 'VIP Customers', value: '6f1c2a10-0000-4000-8000-000000000002' },
		]);
		expect((await loadOptions.getContactCustomFields.call(context)).map((o: { value: string }) => o.value)).toEqual(['loyalty_tier', 'segments']);
	});

	test('ActiveCampaign lists and custom fields', async () => {
		const context = editorContext(node('activeCampaignExport', 'activeCampaignExportApi'), { activeCampaignExportApi: sandbox().endpoints.activeCampaign });
		const { loadOptions } = new ActiveCampaignExport().methods;
		expect((await loadOptions.getContactLists.call(context)).map((o: { name: string }) => o.name)).toEqual(['Events', 'Newsletter', 'VIP Customers']);
		expect((await loadOptions.getCustomFields.call(context)).find((o: { name: string }) => o.name === 'City')).toEqual({ name: 'City', value: '2', description: '%CITY% (text)' });
	});
});
