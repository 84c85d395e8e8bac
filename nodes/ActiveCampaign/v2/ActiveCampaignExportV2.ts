import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { executeExport } from '../../shared/engine/run';
import { createActiveCampaignAdapter } from '../adapter';
import { getCustomFields, searchLists } from '../methods';
import { activeCampaignExportV2Description } from './description';

export class ActiveCampaignExportV2 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = activeCampaignExportV2Description(baseDescription);
	}

	methods = {
		listSearch: { searchLists },
		loadOptions: { getCustomFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createActiveCampaignAdapter);
	}
}
