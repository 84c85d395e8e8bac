import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { ActiveCampaignExportV1 } from './v1/ActiveCampaignExportV1';
import { ActiveCampaignExportV2 } from './v2/ActiveCampaignExportV2';

export class ActiveCampaignExport extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'ActiveCampaign Export',
			name: 'activeCampaignExport',
			icon: { light: 'file:activeCampaign.svg', dark: 'file:activeCampaign.dark.svg' },
			group: ['output'],
			description: 'Export segment members to ActiveCampaign lists with the bulk import',
			defaultVersion: 2,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new ActiveCampaignExportV1(baseDescription),
			2: new ActiveCampaignExportV2(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
