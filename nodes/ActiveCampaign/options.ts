import type { INodeProperties } from 'n8n-workflow';

/**
 * What ActiveCampaign does to people beyond adding them: visible parameters in version 2, entries
 * of "Options" in version 1. One definition for both versions.
 */
export const tagWithSegmentsProperty: INodeProperties = {
	displayName: 'Tag with Segment Names',
	name: 'tagWithSegments',
	type: 'boolean',
	default: true,
	description: 'Whether each contact is tagged with the names of its segments (the "segments" field of Segment Source members)',
};

export const skipAutomationsProperty: INodeProperties = {
	displayName: 'Skip Automations',
	name: 'excludeAutomations',
	type: 'boolean',
	default: true,
	description: 'Whether the import leaves ActiveCampaign automations alone. On by default: a bulk export of existing customers should not start a welcome series for each of them.',
};

/** ActiveCampaign's own entries of "Options" in every version (an option added here appears in both). */
export const activeCampaignOptions: INodeProperties[] = [];
