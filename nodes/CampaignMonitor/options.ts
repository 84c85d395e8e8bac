import type { INodeProperties } from 'n8n-workflow';

/**
 * Campaign Monitor's own entries of "Options", the same in every node version: an option added here
 * appears in version 1 and version 2.
 */
export const campaignMonitorOptions: INodeProperties[] = [
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
];

/** The name and mobile number fields, the same in every node version. */
export const campaignMonitorContactFields: INodeProperties[] = [
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
];
