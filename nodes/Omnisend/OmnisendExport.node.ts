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
		subtitle: '={{"contacts" + ($parameter["emailStatus"] === "none" ? "" : ", " + $parameter["emailStatus"])}}',
		description: 'Export segment members to Omnisend contacts, tagged by segment, with batch requests',
		defaults: { name: 'Omnisend Export' },
		usableAsTool: true,
		...exporterConnections,
		credentials: [{ name: 'omnisendExportApi', required: true }],
		properties: [
			privacyAcknowledgement('Omnisend'),
			{
				displayName: 'Email Status',
				name: 'emailStatus',
				type: 'options',
				options: [
					{ name: 'Leave to Omnisend', value: 'none', description: 'Send no status: existing contacts keep theirs, new ones get Omnisend\'s default' },
					{ name: 'Non-Subscribed', value: 'nonSubscribed', description: 'Known, but not to receive marketing e-mail; applies to existing contacts too' },
					{ name: 'Subscribed', value: 'subscribed', description: 'Only if every one of these people opted in to marketing e-mail; applies to existing contacts too' },
				],
				default: 'none',
				description: 'Omnisend has no lists: contacts are grouped by tags. A status is sent only with the option "Update Status of Existing Contacts" on, because Omnisend documents no way to set it for new contacts only.',
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
					description: 'Whether the status above may be sent, which changes it for contacts Omnisend already has too (people who unsubscribed included). Turn on only with their consent.',
				},
				{
					displayName: 'Send Welcome Message',
					name: 'sendWelcomeMessage',
					type: 'boolean',
					default: false,
					description: 'Whether Omnisend may send its welcome message to new contacts (if the brand\'s welcome workflow is on). Off by default: an export is not a sign-up.',
				},
			]),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createOmnisendAdapter);
	}
}
