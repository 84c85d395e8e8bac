import type { INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exportOptions, exporterConnections, jobTimeoutOption, listsCollection, privacyAcknowledgementV2, syncOptions, withSyncModes } from '../../shared/descriptions';
import { autoMapCustomFieldsOption, customFieldsProperty, fieldMapNotice, fieldMapProperty } from '../../shared/fields';
import { CONSTANT_CONTACT_FIELDS } from '../adapter';
import { CONSTANT_CONTACT_LIMITS } from '../limits';
import { constantContactOptions } from '../options';

/** Subtitle: the list names (IDs where chosen by ID). */
const SUBTITLE =
	'={{"Add to " + ((($parameter["lists"] || {}).list || []).map(function (entry) { return (entry.list || {}).cachedResultName || (entry.list || {}).value; }).filter(function (name) { return name; }).join(", ") || "(choose lists)")}}';

/** Version 2: lists as pickers (1–50), Field Mapping's defaults shown, the privacy notice, not usable as an AI tool (see README). */
export function constantContactExportV2Description(baseDescription: INodeTypeBaseDescription): INodeTypeDescription {
	return {
		...baseDescription,
		version: 2,
		subtitle: SUBTITLE,
		defaults: { name: 'Constant Contact Export' },
		...exporterConnections,
		credentials: [{ name: 'constantContactExportOAuth2Api', required: true }],
		properties: withSyncModes(
			[
				...privacyAcknowledgementV2('Constant Contact'),
				listsCollection({
					description: 'Lists every exported contact is added to (1–50)',
					searchListMethod: 'searchLists',
					idPlaceholder: '07936f78-662a-11eb-af0a-fa163e56c9b9',
					idHint: 'The list ID: the end of the list\'s address in Constant Contact',
					max: 50,
				}),
				emailFieldProperty(),
				fieldMapNotice('Constant Contact', CONSTANT_CONTACT_FIELDS),
				fieldMapProperty('Constant Contact', CONSTANT_CONTACT_FIELDS),
				customFieldsProperty('getContactCustomFields'),
				exportOptions(CONSTANT_CONTACT_LIMITS.maxContactsPerRequest, [...syncOptions, jobTimeoutOption, autoMapCustomFieldsOption, ...constantContactOptions]),
			],
			'Constant Contact',
		),
	};
}
