import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DestinationRequest, DestinationResponse, RequestSender } from '../shared/adapter';
import type { RequestContext } from '../shared/transport';
import { checkBaseUrl, responseError, unexpectedDiscovery } from '../shared/transport';
import { CAMPAIGN_MONITOR_DEFAULT_BASE_URL, CAMPAIGN_MONITOR_LIMITS } from './limits';
import type { DestinationIdentity } from '../shared/adapterBase';

export const CREDENTIAL_TYPE = 'campaignMonitorExportApi';
export const SERVICE_NAME = 'Campaign Monitor';

/** The destination as the engine and the Summary know it. */
export const CAMPAIGN_MONITOR: DestinationIdentity = { destination: 'campaignMonitor', serviceName: SERVICE_NAME, credentialType: CREDENTIAL_TYPE, limits: CAMPAIGN_MONITOR_LIMITS };

export interface CampaignMonitorCustomField {
	FieldName: string;
	Key: string;
	DataType: string;
	FieldOptions?: string[];
}

export async function campaignMonitorBaseUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	return checkBaseUrl(context.getNode(), credentials.baseUrl ?? CAMPAIGN_MONITOR_DEFAULT_BASE_URL, SERVICE_NAME);
}

/** GET that must succeed with a body of the documented shape; other answers become a clear error. */
export async function getJson<T>(node: INode, send: RequestSender, request: DestinationRequest, what: string, isShape: (body: unknown) => boolean): Promise<T> {
	const response: DestinationResponse = await send(request, 'discovery');
	if (response.statusCode !== 200) throw responseError(node, SERVICE_NAME, what, response);
	if (!isShape(response.body)) throw unexpectedDiscovery(node, SERVICE_NAME, what, response);
	return response.body as T;
}

export const isList = (body: unknown): boolean => Array.isArray(body);
const isRecord = (body: unknown): boolean => typeof body === 'object' && body !== null && !Array.isArray(body);

/** Campaign Monitor answers 400 with code 101 for a list ID it does not know. */
export async function getList(node: INode, send: RequestSender, listId: string): Promise<{ ListID?: string; Title?: string }> {
	const response = await send({ method: 'GET', path: `/lists/${encodeURIComponent(listId)}.json` }, 'discovery');
	const code = (response.body as { Code?: number } | undefined)?.Code;
	if (response.statusCode === 404 || (response.statusCode === 400 && code === 101)) {
		throw new NodeOperationError(node, `Campaign Monitor has no list with ID "${listId}"`, {
			description: 'Pick the list from the list, or copy its API list ID from the list\'s settings. Nothing was sent.',
		});
	}
	if (response.statusCode !== 200) throw responseError(node, SERVICE_NAME, 'the list look-up', response);
	if (!isRecord(response.body)) throw unexpectedDiscovery(node, SERVICE_NAME, 'the list look-up', response);
	return response.body as { ListID?: string; Title?: string };
}

export async function getCustomFields(node: INode, send: RequestSender, listId: string): Promise<CampaignMonitorCustomField[]> {
	return await getJson<CampaignMonitorCustomField[]>(
		node,
		send,
		{ method: 'GET', path: `/lists/${encodeURIComponent(listId)}/customfields.json` },
		'the custom field look-up',
		isList,
	);
}
