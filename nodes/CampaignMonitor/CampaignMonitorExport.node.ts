import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { CampaignMonitorExportV1 } from './v1/CampaignMonitorExportV1';
import { CampaignMonitorExportV2 } from './v2/CampaignMonitorExportV2';

export class CampaignMonitorExport extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Campaign Monitor Export',
			name: 'campaignMonitorExport',
			icon: { light: 'file:campaignMonitor.svg', dark: 'file:campaignMonitor.dark.svg' },
			group: ['output'],
			description: 'Export segment members to a Campaign Monitor list in bulk',
			defaultVersion: 2,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new CampaignMonitorExportV1(baseDescription),
			2: new CampaignMonitorExportV2(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
