import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { editorSender } from '../shared/transport';
import { constantContactBaseUrl, CREDENTIAL_TYPE, getCustomFields, getLists, SERVICE_NAME } from './transport';

export async function getContactLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const lists = await getLists(this.getNode(), editorSender(this, CREDENTIAL_TYPE, await constantContactBaseUrl(this), SERVICE_NAME));
	return lists.map((list) => ({ name: list.name, value: list.list_id })).sort((a, b) => a.name.localeCompare(b.name));
}

export async function getContactCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const fields = await getCustomFields(this.getNode(), editorSender(this, CREDENTIAL_TYPE, await constantContactBaseUrl(this), SERVICE_NAME));
	return fields.map((field) => ({ name: field.label, value: field.name, description: `cf:${field.name}` }));
}

/** Lists for version 2's list pickers, searchable by name or ID. */
export async function searchLists(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const options = await getContactLists.call(this);
	const needle = filter?.trim().toLowerCase();
	const results = options
		.filter((option) => !needle || option.name.toLowerCase().includes(needle) || String(option.value).toLowerCase() === needle)
		.map((option) => ({ name: option.name, value: String(option.value) }));
	return { results };
}
