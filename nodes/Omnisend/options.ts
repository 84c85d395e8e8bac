import type { INodeProperties } from 'n8n-workflow';

/**
 * Omnisend's audience (tags) and status settings: visible parameters in version 2 where they change
 * what happens to people, entries of "Options" in version 1. One definition for both versions.
 */
export const tagWithSegmentsProperty: INodeProperties = {
	displayName: 'Tag with Segment Names',
	name: 'tagWithSegments',
	type: 'boolean',
	default: true,
	description: 'Whether each contact is tagged with the names of its segments, so Omnisend segments can select them',
};

export const emailStatusProperty: INodeProperties = {
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
};

export const customPropertiesProperty: INodeProperties = {
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
};

/** Omnisend's own entries of "Options" in every version (an option added here appears in both). */
export const omnisendOptions: INodeProperties[] = [
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
];
