import type { INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exportOptions, exporterConnections, jobTimeoutOption, listsCollection, privacyAcknowledgementV2, syncOptions, withSyncModes } from '../../shared/descriptions';
import { autoMapCustomFieldsOption, customFieldsProperty, fieldMapNotice, fieldMapProperty, tagsProperty } from '../../shared/fields';
import { ACTIVE_CAMPAIGN_FIELDS, ACTIVE_CAMPAIGN_MIRROR_REFUSAL } from '../adapter';
import { ACTIVE_CAMPAIGN_LIMITS } from '../limits';
import { activeCampaignOptions, skipAutomationsProperty, tagWithSegmentsProperty } from '../options';

/** Subtitle: the list names (IDs where chosen by ID). */
const SUBTITLE =
	'={{"Add to " + ((($parameter["lists"] || {}).list || []).map(function (entry) { return (entry.list || {}).cachedResultName || (entry.list || {}).value; }).filter(function (name) { return name; }).join(", ") || "(choose lists)")}}';

/** Version 2: lists as pickers, tagging and automations visible, the privacy notice, not usable as an AI tool (see README). */
export function activeCampaignExportV2Description(baseDescription: INodeTypeBaseDescription): INodeTypeDescription {
	return {
		...baseDescription,
		version: 2,
		subtitle: SUBTITLE,
		defaults: { name: 'ActiveCampaign Export' },
		...exporterConnections,
		credentials: [{ name: 'activeCampaignExportApi', required: true }],
		properties: withSyncModes(
			[
				...privacyAcknowledgementV2('ActiveCampaign'),
				listsCollection({
					description: 'Lists every exported contact is subscribed to',
					searchListMethod: 'searchLists',
					idPlaceholder: '3',
					idHint: 'The list\'s number: Lists → the list → its address ends in listid=3',
				}),
				skipAutomationsProperty,
				tagWithSegmentsProperty,
				tagsProperty,
				emailFieldProperty(),
				fieldMapNotice('ActiveCampaign', ACTIVE_CAMPAIGN_FIELDS),
				fieldMapProperty('ActiveCampaign', ACTIVE_CAMPAIGN_FIELDS),
				customFieldsProperty('getCustomFields'),
				exportOptions(ACTIVE_CAMPAIGN_LIMITS.maxContactsPerRequest, [...syncOptions, jobTimeoutOption, autoMapCustomFieldsOption, ...activeCampaignOptions]),
			],
			'ActiveCampaign', ACTIVE_CAMPAIGN_MIRROR_REFUSAL,
		),
	};
}
