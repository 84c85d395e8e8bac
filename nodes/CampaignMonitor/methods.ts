import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { editorSender } from '../shared/transport';
import { campaignMonitorBaseUrl, CREDENTIAL_TYPE, getCustomFields, getJson, isList, SERVICE_NAME } from './transport';

/** Lists of every client of the account, searchable by list or client name. */
export async function searchLists(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const node = this.getNode();
	const send = editorSender(this, CREDENTIAL_TYPE, await campaignMonitorBaseUrl(this), SERVICE_NAME);
	const clients = await getJson<Array<{ ClientID: string; Name: string }>>(node, send, { method: 'GET', path: '/clients.json' }, 'the client look-up', isList);
	const needle = filter?.trim().toLowerCase();
	const results: INodeListSearchResult['results'] = [];
	for (const client of clients) {
		const lists = await getJson<Array<{ ListID: string; Name: string }>>(
			node,
			send,
			{ method: 'GET', path: `/clients/${encodeURIComponent(client.ClientID)}/lists.json` },
			'the list look-up',
			isList,
		);
		for (const list of lists) {
			const name = clients.length > 1 ? `${list.Name} (${client.Name})` : list.Name;
			if (!needle || name.toLowerCase().includes(needle) || list.ListID.toLowerCase() === needle) {
				results.push({ name, value: list.ListID });
			}
		}
	}
	results.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}

/** Custom fields of the chosen list, for explicit mapping. */
export async function getListCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const listId = String(this.getNodeParameter('list', undefined, { extractValue: true }) ?? '').trim();
	if (!listId) return [];
	const send = editorSender(this, CREDENTIAL_TYPE, await campaignMonitorBaseUrl(this), SERVICE_NAME);
	const fields = await getCustomFields(this.getNode(), send, listId);
	return fields.map((field) => ({ name: field.FieldName, value: field.Key, description: `${field.DataType} ${field.Key}` }));
}
