import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { ConstantContactExportV1 } from './v1/ConstantContactExportV1';
import { ConstantContactExportV2 } from './v2/ConstantContactExportV2';

export class ConstantContactExport extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Constant Contact Export',
			name: 'constantContactExport',
			icon: { light: 'file:constantContact.svg', dark: 'file:constantContact.dark.svg' },
			group: ['output'],
			description: 'Export segment members to Constant Contact lists with the bulk JSON import',
			defaultVersion: 2,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new ConstantContactExportV1(baseDescription),
			2: new ConstantContactExportV2(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
