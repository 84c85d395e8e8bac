import type { INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { emailFieldProperty, exportOptions, exporterConnections, jobTimeoutOption, privacyAcknowledgementV2, syncOptions, withSyncModes } from '../../shared/descriptions';
import { fieldMapNotice, fieldMapProperty, tagsProperty } from '../../shared/fields';
import { OMNISEND_FIELDS } from '../adapter';
import { OMNISEND_LIMITS } from '../limits';
import { customPropertiesProperty, emailStatusProperty, omnisendOptions, tagWithSegmentsProperty } from '../options';

/** Subtitle: what the contacts are tagged with, and their status when new. */
const SUBTITLE =
	'={{[$parameter["tagWithSegments"] ? "segment names" : "", $parameter["tags"] || ""].filter(function (tag) { return tag; }).length ? "Tag " + [$parameter["tagWithSegments"] ? "segment names" : "", $parameter["tags"] || ""].filter(function (tag) { return tag; }).join(", ") : "Add contacts, untagged"}}';

/** Version 2: the audience (tags) visible, the privacy notice, not usable as an AI tool (see README). */
export function omnisendExportV2Description(baseDescription: INodeTypeBaseDescription): INodeTypeDescription {
	return {
		...baseDescription,
		version: 2,
		subtitle: SUBTITLE,
		defaults: { name: 'Omnisend Export' },
		...exporterConnections,
		credentials: [{ name: 'omnisendExportApi', required: true }],
		properties: withSyncModes(
			[
				...privacyAcknowledgementV2('Omnisend'),
				{
					displayName: 'Omnisend has no lists: the audience is the tags each contact gets. Omnisend segments select contacts by these tags.',
					name: 'audienceNotice',
					type: 'notice',
					default: '',
				},
				tagWithSegmentsProperty,
				tagsProperty,
				emailStatusProperty,
				emailFieldProperty(),
				fieldMapNotice('Omnisend', OMNISEND_FIELDS),
				fieldMapProperty('Omnisend', OMNISEND_FIELDS),
				customPropertiesProperty,
				exportOptions(OMNISEND_LIMITS.maxContactsPerRequest, [...syncOptions, jobTimeoutOption, ...omnisendOptions]),
			],
			'Omnisend',
		),
	};
}
