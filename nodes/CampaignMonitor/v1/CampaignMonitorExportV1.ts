import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exporterConnections, exportOptions, privacyAcknowledgement } from '../../shared/descriptions';
import { autoMapCustomFieldsOption, customFieldsProperty } from '../../shared/fields';
import { executeExport } from '../../shared/engine/run';
import { createCampaignMonitorAdapter } from '../adapter';
import { CAMPAIGN_MONITOR_LIMITS } from '../limits';
import { getListCustomFields, searchLists } from '../methods';
import { campaignMonitorContactFields, campaignMonitorOptions } from '../options';

/** Version 1, as saved workflows know it: kept unchanged. */
export class CampaignMonitorExportV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{"to list " + ($parameter["list"].cachedResultName ?? $parameter["list"].value ?? $parameter["list"])}}',
			defaults: { name: 'Campaign Monitor Export' },
			usableAsTool: true,
			...exporterConnections,
			credentials: [{ name: 'campaignMonitorExportApi', required: true }],
			properties: [
				privacyAcknowledgement('Campaign Monitor'),
				{
					displayName: 'List',
					name: 'list',
					type: 'resourceLocator',
					default: { mode: 'list', value: '' },
					required: true,
					description: 'The subscriber list to add or update the contacts in',
					modes: [
						{
							displayName: 'From List',
							name: 'list',
							type: 'list',
							typeOptions: { searchListMethod: 'searchLists', searchable: true },
						},
						{
							displayName: 'By ID',
							name: 'id',
							type: 'string',
							placeholder: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
							hint: 'The API list ID, shown in the list\'s settings in Campaign Monitor',
						},
					],
				},
				emailFieldProperty(),
				...campaignMonitorContactFields,
				customFieldsProperty('getListCustomFields', ['list.value']),
				exportOptions(CAMPAIGN_MONITOR_LIMITS.maxContactsPerRequest, [autoMapCustomFieldsOption, ...campaignMonitorOptions]),
			],
		};
	}

	methods = {
		listSearch: { searchLists },
		loadOptions: { getListCustomFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createCampaignMonitorAdapter);
	}
}
