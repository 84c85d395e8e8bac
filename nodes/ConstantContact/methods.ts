import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

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
