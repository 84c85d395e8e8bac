import type { INode } from 'n8n-workflow';

import type { DestinationResponse, RequestSender } from '../shared/adapter';
import type { RequestContext } from '../shared/transport';
import { checkBaseUrl, responseError, unexpectedDiscovery } from '../shared/transport';
import { CONSTANT_CONTACT_DEFAULT_BASE_URL, CONSTANT_CONTACT_LIMITS } from './limits';
import type { DestinationIdentity } from '../shared/adapterBase';

export const CREDENTIAL_TYPE = 'constantContactExportOAuth2Api';
export const SERVICE_NAME = 'Constant Contact';

/** The destination as the engine and the Summary know it. */
export const CONSTANT_CONTACT: DestinationIdentity = { destination: 'constantContact', serviceName: SERVICE_NAME, credentialType: CREDENTIAL_TYPE, limits: CONSTANT_CONTACT_LIMITS };

export interface ConstantContactList {
	list_id: string;
	name: string;
}

export interface ConstantContactCustomField {
	custom_field_id: string;
	label: string;
	name: string;
	type: string;
}

export async function constantContactBaseUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	return checkBaseUrl(context.getNode(), credentials.baseUrl ?? CONSTANT_CONTACT_DEFAULT_BASE_URL, SERVICE_NAME);
}

/** The daily quota is spent: nothing more can be sent today, so this is never retried. */
export function quotaMessage(response: DestinationResponse): string | undefined {
	const body = response.body as { error_key?: string } | Array<{ error_key?: string }> | undefined;
	const key = Array.isArray(body) ? body[0]?.error_key : body?.error_key;
	return response.statusCode === 429 && key === 'quota_exceeded'
		? "Constant Contact's daily request quota (10,000 requests per application) is used up"
		: undefined;
}

export async function getLists(node: INode, send: RequestSender): Promise<ConstantContactList[]> {
	const response = await send({ method: 'GET', path: '/contact_lists', qs: { limit: 1000, include_count: false } }, 'discovery');
	if (response.statusCode !== 200) throw responseError(node, SERVICE_NAME, 'the list look-up', response, true);
	const lists = (response.body as { lists?: unknown } | undefined)?.lists;
	if (lists !== undefined && !Array.isArray(lists)) throw unexpectedDiscovery(node, SERVICE_NAME, 'the list look-up', response);
	if (!response.body || typeof response.body !== 'object') throw unexpectedDiscovery(node, SERVICE_NAME, 'the list look-up', response);
	return (lists as ConstantContactList[] | undefined) ?? [];
}

export async function getCustomFields(node: INode, send: RequestSender): Promise<ConstantContactCustomField[]> {
	const response = await send({ method: 'GET', path: '/contact_custom_fields', qs: { limit: 100 } }, 'discovery');
	if (response.statusCode !== 200) throw responseError(node, SERVICE_NAME, 'the custom field look-up', response, true);
	const fields = (response.body as { custom_fields?: unknown } | undefined)?.custom_fields;
	if (!response.body || typeof response.body !== 'object' || (fields !== undefined && !Array.isArray(fields))) {
		throw unexpectedDiscovery(node, SERVICE_NAME, 'the custom field look-up', response);
	}
	return (fields as ConstantContactCustomField[] | undefined) ?? [];
}
