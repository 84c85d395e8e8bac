import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exportOptions, exporterConnections, jobTimeoutOption, privacyAcknowledgement } from '../../shared/descriptions';
import { executeExport } from '../../shared/engine/run';
import { autoMapCustomFieldsOption, customFieldsProperty, fieldMapProperty, tagsProperty } from '../../shared/fields';
import { ACTIVE_CAMPAIGN_FIELDS, createActiveCampaignAdapter } from '../adapter';
import { ACTIVE_CAMPAIGN_LIMITS } from '../limits';
import { getContactLists, getCustomFields } from '../methods';
import { activeCampaignOptions, skipAutomationsProperty, tagWithSegmentsProperty } from '../options';

/** Version 1, as saved workflows know it: kept unchanged. */
export class ActiveCampaignExportV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{"to " + $parameter["lists"].length + " list(s)"}}',
			defaults: { name: 'ActiveCampaign Export' },
			usableAsTool: true,
			...exporterConnections,
			credentials: [{ name: 'activeCampaignExportApi', required: true }],
			properties: [
				privacyAcknowledgement('ActiveCampaign'),
				{
					displayName: 'List Names or IDs',
					name: 'lists',
					type: 'multiOptions',
					typeOptions: { loadOptionsMethod: 'getContactLists' },
					default: [],
					required: true,
					description: 'Lists every exported contact is subscribed to. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				emailFieldProperty(),
				fieldMapProperty('ActiveCampaign', ACTIVE_CAMPAIGN_FIELDS),
				customFieldsProperty('getCustomFields'),
				exportOptions(ACTIVE_CAMPAIGN_LIMITS.maxContactsPerRequest, [
					jobTimeoutOption,
					autoMapCustomFieldsOption,
					tagWithSegmentsProperty,
					tagsProperty,
					skipAutomationsProperty,
					...activeCampaignOptions,
				]),
			],
		};
	}

	methods = {
		loadOptions: { getContactLists, getCustomFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createActiveCampaignAdapter);
	}
}
