import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { executeExport } from '../../shared/engine/run';
import { createConstantContactAdapter } from '../adapter';
import { getContactCustomFields, searchLists } from '../methods';
import { constantContactExportV2Description } from './description';

export class ConstantContactExportV2 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = constantContactExportV2Description(baseDescription);
	}

	methods = {
		listSearch: { searchLists },
		loadOptions: { getContactCustomFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createConstantContactAdapter);
	}
}
