import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exporterConnections, exportOptions, privacyAcknowledgement } from '../shared/descriptions';
import { autoMapCustomFieldsOption, customFieldsProperty } from '../shared/fields';
import { executeExport } from '../shared/engine/run';
import { createCampaignMonitorAdapter } from './adapter';
import { CAMPAIGN_MONITOR_LIMITS } from './limits';
import { getListCustomFields, searchLists } from './methods';

export class CampaignMonitorExport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Campaign Monitor Export',
		name: 'campaignMonitorExport',
		icon: { light: 'file:campaignMonitor.svg', dark: 'file:campaignMonitor.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{"to list " + ($parameter["list"].cachedResultName ?? $parameter["list"].value ?? $parameter["list"])}}',
		description: 'Export segment members to a Campaign Monitor list in bulk',
		defaults: { name: 'Campaign Monitor Export' },
		usableAsTool: true,
		...exporterConnections,
		credentials: [{ name: 'campaignMonitorExportApi', required: true }],
		properties: [
			privacyAcknowledgement('Campaign Monitor'),
			{
				displayName: 'List',
				name: 'list',
				type: 'resourceLocator',
				default: { mode: 'list', value: '' },
				required: true,
				description: 'The subscriber list to add or update the contacts in',
				modes: [
					{
						displayName: 'From List',
						name: 'list',
						type: 'list',
						typeOptions: { searchListMethod: 'searchLists', searchable: true },
					},
					{
						displayName: 'By ID',
						name: 'id',
						type: 'string',
						placeholder: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
						hint: 'The API list ID, shown in the list\'s settings in Campaign Monitor',
					},
				],
			},
			emailFieldProperty(),
			{
				displayName: 'Name',
				name: 'nameSource',
				type: 'options',
				options: [
					{ name: 'First Name + Last Name', value: 'firstLast', description: 'Join two input fields with a space' },
					{ name: 'One Field', value: 'field', description: 'Take the full name from one input field' },
					{ name: 'Do Not Send', value: 'none' },
				],
				default: 'firstLast',
				description: 'Campaign Monitor keeps a single Name per subscriber',
			},
			{
				displayName: 'First Name Field',
				name: 'firstNameField',
				type: 'string',
				default: 'firstName',
				displayOptions: { show: { nameSource: ['firstLast'] } },
			},
			{
				displayName: 'Last Name Field',
				name: 'lastNameField',
				type: 'string',
				default: 'lastName',
				displayOptions: { show: { nameSource: ['firstLast'] } },
			},
			{
				displayName: 'Name Field',
				name: 'nameField',
				type: 'string',
				default: 'name',
				displayOptions: { show: { nameSource: ['field'] } },
			},
			{
				displayName: 'Mobile Number Field',
				name: 'mobileNumberField',
				type: 'string',
				default: 'phone',
				description: 'Input field holding the mobile number; leave empty to send none. Only numbers that are valid in international (E.164) form are sent, e.g. +61 400 000 000; others are left out and counted in the Summary (fieldsOmitted).',
			},
			customFieldsProperty('getListCustomFields', ['list.value']),
			exportOptions(CAMPAIGN_MONITOR_LIMITS.maxContactsPerRequest, [
				autoMapCustomFieldsOption,
				{
					displayName: 'Resubscribe',
					name: 'resubscribe',
					type: 'boolean',
					default: false,
					description: 'Whether to re-add contacts who unsubscribed, were deleted or are on the suppression list. Leave off unless they asked to be re-added.',
				},
				{
					displayName: 'Consent to Track',
					name: 'consentToTrack',
					type: 'options',
					options: [
						{ name: 'Unchanged', value: 'unchanged' },
						{ name: 'Yes', value: 'yes' },
						{ name: 'No', value: 'no' },
					],
					default: 'unchanged',
					description: 'Whether the subscribers consented to having their e-mail opens and clicks tracked',
				},
				{
					displayName: 'Consent to Send SMS',
					name: 'consentToSendSms',
					type: 'options',
					options: [
						{ name: 'Unchanged', value: 'Unchanged' },
						{ name: 'Yes', value: 'Yes' },
						{ name: 'No', value: 'No' },
					],
					default: 'Unchanged',
					description: 'Whether the subscribers consented to SMS; sent with a mobile number only',
				},
			]),
		],
	};

	methods = {
		listSearch: { searchLists },
		loadOptions: { getListCustomFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeExport.call(this, createCampaignMonitorAdapter);
	}
}
