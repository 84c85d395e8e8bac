import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { editorSender } from '../shared/transport';
import { activeCampaignBaseUrl, CREDENTIAL_TYPE, getFields, getLists, SERVICE_NAME } from './transport';

export async function getContactLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const lists = await getLists(this.getNode(), editorSender(this, CREDENTIAL_TYPE, await activeCampaignBaseUrl(this), SERVICE_NAME));
	return lists.map((list) => ({ name: list.name, value: list.id })).sort((a, b) => a.name.localeCompare(b.name));
}

export async function getCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const fields = await getFields(this.getNode(), editorSender(this, CREDENTIAL_TYPE, await activeCampaignBaseUrl(this), SERVICE_NAME));
	return fields.map((field) => ({ name: field.title, value: field.id, description: `%${field.perstag ?? ''}% (${field.type ?? 'text'})` }));
}

/** Lists for version 2's list pickers, searchable by name or ID. */
export async function searchLists(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const options = await getContactLists.call(this);
	const needle = filter?.trim().toLowerCase();
	const results = options
		.filter((option) => !needle || option.name.toLowerCase().includes(needle) || String(option.value) === needle)
		.map((option) => ({ name: option.name, value: String(option.value) }));
	return { results };
}
