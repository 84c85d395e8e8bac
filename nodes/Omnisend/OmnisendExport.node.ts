import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exportOptions, exporterConnections, jobTimeoutOption, privacyAcknowledgement } from '../shared/descriptions';
import { executeExport } from '../shared/engine/run';
import { fieldMapProperty } from '../shared/fields';
import { createOmnisendAdapter, OMNISEND_FIELDS } from './adapter';
import { OMNISEND_LIMITS } from './limits';

export class OmnisendExport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Omnisend Export',
		name: 'omnisendExport',
		icon: { light: 'file:omnisend.svg', dark: 'file:omnisend.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{"contacts, " + $parameter["emailStatus"] + " when new"}}',
		description: 'Export segment members to Omnisend contacts, tagged by segment, with batch requests',
		defaults: { name: 'Omnisend Export' },
		usableAsTool: true,
		...exporterConnections,
		credentials: [{ name: 'omnisendExportApi', required: true }],
		properties: [
			privacyAcknowledgement('Omnisend'),
			{
				displayName: 'Email Status for New Contacts',
				name: 'emailStatus',
				type: 'options',
				options: [
					{ name: 'Non-Subscribed', value: 'nonSubscribed', description: 'Known, but not to receive marketing e-mail' },
					{ name: 'Subscribed', value: 'subscribed', description: 'Only if these people opted in to marketing e-mail' },
				],
				default: 'nonSubscribed',
				description: 'Omnisend has no lists: contacts are grouped by tags. Contacts Omnisend already has keep their status unless the option "Update Status of Existing Contacts" is on.',
			},
			emailFieldProperty(),
			fieldMapProperty('Omnisend', OMNISEND_FIELDS),
			{
				displayName: 'Custom Properties',
				name: 'customProperties',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add custom property',
				default: {},
				description: 'Contact custom properties filled from input fields',
				options: [
					{
						displayName: 'Property',
						name: 'property',
						values: [
							{ displayName: 'Property Name', name: 'name', type: 'string', default: '', placeholder: 'loyaltyTier' },
							{ displayName: 'Input Field', name: 'sourceField', type: 'string', default: '', placeholder: 'loyaltyTier' },
						],
					},
				],
			},
			exportOptions(OMNISEND_LIMITS.maxContactsPerRequest, [
				jobTimeoutOption,
				{
					displayName: 'Tag with Segment Names',
					name: 'tagWithSegments',
					type: 'boolean',
					default: true,
					description: 'Whether each contact is tagged with the names of its segments, so Omnisend segments can select them',
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
					displayName: 'Update Status of Existing Contacts',
					name: 'updateExistingStatus',
					type: 'boolean',
					default: false,
					description: 'Whether contacts Omnisend already has take the status above too. Off by default: people who unsubscribed stay unsubscribed. Turn on only with their consent.',
				},
			]),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createOmnisendAdapter);
	}
}
