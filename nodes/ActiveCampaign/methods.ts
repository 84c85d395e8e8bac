import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

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
