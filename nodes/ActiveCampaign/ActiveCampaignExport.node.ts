import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exportOptions, exporterConnections, jobTimeoutOption, privacyAcknowledgement } from '../shared/descriptions';
import { executeExport } from '../shared/engine/run';
import { autoMapCustomFieldsOption, customFieldsProperty, fieldMapProperty } from '../shared/fields';
import { ACTIVE_CAMPAIGN_FIELDS, createActiveCampaignAdapter } from './adapter';
import { ACTIVE_CAMPAIGN_LIMITS } from './limits';
import { getContactLists, getCustomFields } from './methods';

export class ActiveCampaignExport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ActiveCampaign Export',
		name: 'activeCampaignExport',
		icon: { light: 'file:activeCampaign.svg', dark: 'file:activeCampaign.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{"to " + $parameter["lists"].length + " list(s)"}}',
		description: 'Export segment members to ActiveCampaign lists with the bulk import',
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
				{
					displayName: 'Tag with Segment Names',
					name: 'tagWithSegments',
					type: 'boolean',
					default: true,
					description: 'Whether each contact is tagged with the names of its segments (the "segments" field of Segment Source members)',
				},
				{
					displayName: 'Tags',
					name: 'tags',
					type: 'string',
					default: '',
					placeholder: 'n8n-export, spring-campaign',
					description: 'Comma-separated tags added to every exported contact',
				},
				{
					displayName: 'Skip Automations',
					name: 'excludeAutomations',
					type: 'boolean',
					default: true,
					description: 'Whether the import leaves ActiveCampaign automations alone. On by default: a bulk export of existing customers should not start a welcome series for each of them.',
				},
			]),
		],
	};

	methods = {
		loadOptions: { getContactLists, getCustomFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createActiveCampaignAdapter);
	}
}
