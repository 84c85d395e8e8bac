import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exportOptions, exporterConnections, jobTimeoutOption, privacyAcknowledgement } from '../../shared/descriptions';
import { executeExport } from '../../shared/engine/run';
import { fieldMapProperty, tagsProperty } from '../../shared/fields';
import { createOmnisendAdapter, OMNISEND_FIELDS } from '../adapter';
import { OMNISEND_LIMITS } from '../limits';
import { customPropertiesProperty, emailStatusProperty, omnisendOptions, tagWithSegmentsProperty } from '../options';

/** Version 1, as saved workflows know it: kept unchanged. */
export class OmnisendExportV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{"contacts" + ($parameter["emailStatus"] === "none" ? "" : ", " + $parameter["emailStatus"])}}',
			defaults: { name: 'Omnisend Export' },
			usableAsTool: true,
			...exporterConnections,
			credentials: [{ name: 'omnisendExportApi', required: true }],
			properties: [
				privacyAcknowledgement('Omnisend'),
				emailStatusProperty,
				emailFieldProperty(),
				fieldMapProperty('Omnisend', OMNISEND_FIELDS),
				customPropertiesProperty,
				exportOptions(OMNISEND_LIMITS.maxContactsPerRequest, [jobTimeoutOption, tagWithSegmentsProperty, tagsProperty, ...omnisendOptions]),
			],
		};
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createOmnisendAdapter);
	}
}
