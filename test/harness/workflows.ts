import type { IConnections, IDataObject, INode, IWorkflowBase } from 'n8n-workflow';

import { PACKAGE_NAME } from './package';

export type NodeSpec = { name: string; type: string; parameters?: IDataObject; credentials?: INode['credentials']; continueOnFail?: boolean };

/** A linear workflow Start → nodes…, each connected from the previous node's first output. */
export function chain(...specs: NodeSpec[]): Pick<IWorkflowBase, 'nodes' | 'connections'> {
	const all: NodeSpec[] = [{ name: 'Start', type: 'n8n-nodes-base.manualTrigger' }, ...specs];
	const nodes: INode[] = all.map((spec, index) => ({
		id: `node-${index}`,
		name: spec.name,
		type: spec.type.includes('.') ? spec.type : `${PACKAGE_NAME}.${spec.type}`,
		typeVersion: 1,
		position: [index * 220, 0],
		parameters: (spec.parameters ?? {}) as INode["parameters"],
		credentials: spec.credentials,
		...(spec.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	}));
	const connections: IConnections = {};
	for (let index = 1; index < nodes.length; index++) {
		connections[nodes[index - 1].name] = { main: [[{ node: nodes[index].name, type: 'main', index: 0 }]] };
	}
	return { nodes, connections };
}

export const cmCredentials = { campaignMonitorExportApi: { id: 'cm-test', name: 'Campaign Monitor (sandbox)' } };
export const ccCredentials = { constantContactExportOAuth2Api: { id: 'cc-test', name: 'Constant Contact (sandbox)' } };
export const acCredentials = { activeCampaignExportApi: { id: 'ac-test', name: 'ActiveCampaign (sandbox)' } };
export const omnisendCredentials = { omnisendExportApi: { id: 'omnisend-test', name: 'Omnisend (sandbox)' } };
