import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DestinationRequest, RequestSender } from '../shared/adapter';
import type { RequestContext } from '../shared/transport';
import { checkBaseUrl, responseError } from '../shared/transport';

export const CREDENTIAL_TYPE = 'activeCampaignExportApi';
export const SERVICE_NAME = 'ActiveCampaign';

export interface ActiveCampaignList {
	id: string;
	name: string;
}

export interface ActiveCampaignField {
	id: string;
	title: string;
	perstag?: string;
	type?: string;
}

/**
 * The account URL as ActiveCampaign shows it: a host name ("youraccount.api-us1.com", https assumed,
 * the form the platform we replace documents) or a full URL; a trailing /api/3 is tolerated.
 */
export function normaliseAccountUrl(raw: unknown): string {
	let text = typeof raw === 'string' ? raw.trim() : '';
	if (text && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
	return text.replace(/\/+$/, '').replace(/\/api\/3$/, '');
}

export async function activeCampaignBaseUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const node = context.getNode();
	if (!credentials.accountUrl) throw new NodeOperationError(node, 'The ActiveCampaign credential has no account URL');
	return `${checkBaseUrl(node, normaliseAccountUrl(credentials.accountUrl), SERVICE_NAME)}/api/3`;
}

/** Every page of a v3 collection ("limit" ≤ 100, "offset", "meta.total"). */
async function getAll<T>(node: INode, send: RequestSender, path: string, key: string, what: string): Promise<T[]> {
	const all: T[] = [];
	for (let offset = 0; ; offset += 100) {
		const request: DestinationRequest = { method: 'GET', path, qs: { limit: 100, offset } };
		const response = await send(request, 'discovery');
		if (response.statusCode !== 200) throw responseError(node, SERVICE_NAME, what, response);
		const body = response.body as Record<string, unknown> & { meta?: { total?: string | number } };
		const page = (body[key] as T[] | undefined) ?? [];
		all.push(...page);
		if (page.length < 100 || all.length >= Number(body.meta?.total ?? 0)) return all;
	}
}

export async function getLists(node: INode, send: RequestSender): Promise<ActiveCampaignList[]> {
	return await getAll<ActiveCampaignList>(node, send, '/lists', 'lists', 'the list look-up');
}

export async function getFields(node: INode, send: RequestSender): Promise<ActiveCampaignField[]> {
	return await getAll<ActiveCampaignField>(node, send, '/fields', 'fields', 'the custom field look-up');
}
