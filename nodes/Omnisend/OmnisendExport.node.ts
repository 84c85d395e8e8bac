import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { OmnisendExportV1 } from './v1/OmnisendExportV1';
import { OmnisendExportV2 } from './v2/OmnisendExportV2';

export class OmnisendExport extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Omnisend Export',
			name: 'omnisendExport',
			icon: { light: 'file:omnisend.svg', dark: 'file:omnisend.dark.svg' },
			group: ['output'],
			description: 'Export segment members to Omnisend contacts, tagged by segment, with batch requests',
			defaultVersion: 2,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new OmnisendExportV1(baseDescription),
			2: new OmnisendExportV2(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
