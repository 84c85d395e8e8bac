import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { executeExport } from '../../shared/engine/run';
import { createOmnisendAdapter } from '../adapter';
import { omnisendExportV2Description } from './description';

export class OmnisendExportV2 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = omnisendExportV2Description(baseDescription);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createOmnisendAdapter);
	}
}
