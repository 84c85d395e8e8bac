import type { INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { CAMPAIGN_MONITOR_MIRROR_REFUSAL } from '../adapter';
import { emailFieldProperty, exporterConnections, exportOptions, listLocator, privacyAcknowledgementV2, syncOptions, withSyncModes } from '../../shared/descriptions';
import { autoMapCustomFieldsOption, customFieldsProperty } from '../../shared/fields';
import { CAMPAIGN_MONITOR_LIMITS } from '../limits';
import { campaignMonitorContactFields, campaignMonitorOptions } from '../options';

/** Version 2: the visible privacy notice, the list name in the subtitle, not usable as an AI tool (see README). */
export function campaignMonitorExportV2Description(baseDescription: INodeTypeBaseDescription): INodeTypeDescription {
	return {
		...baseDescription,
		version: 2,
		// $parameter gives a list picker's value only; its raw form (toJSON) keeps the name picked from the list.
		subtitle: '={{"Add to " + (($parameter.toJSON().list || {}).cachedResultName || $parameter["list"] || "(choose a list)")}}',
		defaults: { name: 'Campaign Monitor Export' },
		...exporterConnections,
		credentials: [{ name: 'campaignMonitorExportApi', required: true }],
		properties: withSyncModes(
			[
				...privacyAcknowledgementV2('Campaign Monitor'),
				listLocator({
					displayName: 'List',
					name: 'list',
					description: 'The subscriber list to add or update the contacts in',
					searchListMethod: 'searchLists',
					idPlaceholder: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
					idHint: 'The API list ID, shown in the list\'s settings in Campaign Monitor',
				}),
				emailFieldProperty(),
				...campaignMonitorContactFields,
				customFieldsProperty('getListCustomFields', ['list.value']),
				exportOptions(CAMPAIGN_MONITOR_LIMITS.maxContactsPerRequest, [...syncOptions, autoMapCustomFieldsOption, ...campaignMonitorOptions]),
			],
			'Campaign Monitor', CAMPAIGN_MONITOR_MIRROR_REFUSAL,
		),
	};
}
