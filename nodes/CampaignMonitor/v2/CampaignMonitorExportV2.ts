import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { executeExport } from '../../shared/engine/run';
import { createCampaignMonitorAdapter } from '../adapter';
import { getListCustomFields, searchLists } from '../methods';
import { campaignMonitorExportV2Description } from './description';

export class CampaignMonitorExportV2 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = campaignMonitorExportV2Description(baseDescription);
	}

	methods = {
		listSearch: { searchLists },
		loadOptions: { getListCustomFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createCampaignMonitorAdapter);
	}
}
