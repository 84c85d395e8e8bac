import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exportOptions, exporterConnections, jobTimeoutOption, privacyAcknowledgement } from '../../shared/descriptions';
import { executeExport } from '../../shared/engine/run';
import { autoMapCustomFieldsOption, customFieldsProperty, fieldMapProperty } from '../../shared/fields';
import { CONSTANT_CONTACT_FIELDS, createConstantContactAdapter } from '../adapter';
import { CONSTANT_CONTACT_LIMITS } from '../limits';
import { getContactCustomFields, getContactLists } from '../methods';
import { constantContactOptions } from '../options';

/** Version 1, as saved workflows know it: kept unchanged. */
export class ConstantContactExportV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{"to " + $parameter["lists"].length + " list(s)"}}',
			defaults: { name: 'Constant Contact Export' },
			usableAsTool: true,
			...exporterConnections,
			credentials: [{ name: 'constantContactExportOAuth2Api', required: true }],
			properties: [
				privacyAcknowledgement('Constant Contact'),
				{
					displayName: 'List Names or IDs',
					name: 'lists',
					type: 'multiOptions',
					typeOptions: { loadOptionsMethod: 'getContactLists' },
					default: [],
					required: true,
					description: 'Lists every exported contact is added to (1–50). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				emailFieldProperty(),
				fieldMapProperty('Constant Contact', CONSTANT_CONTACT_FIELDS),
				customFieldsProperty('getContactCustomFields'),
				exportOptions(CONSTANT_CONTACT_LIMITS.maxContactsPerRequest, [jobTimeoutOption, autoMapCustomFieldsOption, ...constantContactOptions]),
			],
		};
	}

	methods = {
		loadOptions: { getContactLists, getContactCustomFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createConstantContactAdapter);
	}
}
