import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DestinationRequest, RequestSender } from '../shared/adapter';
import type { RequestContext } from '../shared/transport';
import { MAX_PAGES } from '../shared/engine/retryPolicy';
import { checkBaseUrl, responseError, unexpectedDiscovery } from '../shared/transport';
import type { DestinationIdentity } from '../shared/adapterBase';
import { ACTIVE_CAMPAIGN_LIMITS } from './limits';

export const CREDENTIAL_TYPE = 'activeCampaignExportApi';
export const SERVICE_NAME = 'ActiveCampaign';

/** The destination as the engine and the Summary know it. */
export const ACTIVE_CAMPAIGN: DestinationIdentity = { destination: 'activeCampaign', serviceName: SERVICE_NAME, credentialType: CREDENTIAL_TYPE, limits: ACTIVE_CAMPAIGN_LIMITS };

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
 * the form Dynamics 365 Customer Insights documents) or a full URL; a trailing /api/3 is tolerated.
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

/**
 * Every page of a v3 collection ("limit" ≤ 100, "offset", "meta.total" — a string in the vendor's
 * examples). Ends at a short or empty page or the total, and never reads more than MAX_PAGES.
 */
async function getAll<T>(node: INode, send: RequestSender, path: string, key: string, what: string): Promise<T[]> {
	const all: T[] = [];
	for (let page = 0; page < MAX_PAGES; page++) {
		const request: DestinationRequest = { method: 'GET', path, qs: { limit: PAGE_SIZE, offset: page * PAGE_SIZE } };
		const response = await send(request, 'discovery');
		if (response.statusCode !== 200) throw responseError(node, SERVICE_NAME, what, response);
		const body = response.body as Record<string, unknown> & { meta?: { total?: unknown } };
		const items = body && typeof body === 'object' ? body[key] : undefined;
		if (!Array.isArray(items)) throw unexpectedDiscovery(node, SERVICE_NAME, what, response);
		all.push(...(items as T[]));
		const total = Number(body.meta?.total);
		if (items.length < PAGE_SIZE || (Number.isFinite(total) && all.length >= total)) return all;
	}
	throw new NodeOperationError(node, `ActiveCampaign kept sending pages for ${what} (more than ${MAX_PAGES * PAGE_SIZE} entries)`, { description: 'Nothing was sent.' });
}

const PAGE_SIZE = 100;

export async function getLists(node: INode, send: RequestSender): Promise<ActiveCampaignList[]> {
	return await getAll<ActiveCampaignList>(node, send, '/lists', 'lists', 'the list look-up');
}

export async function getFields(node: INode, send: RequestSender): Promise<ActiveCampaignField[]> {
	return await getAll<ActiveCampaignField>(node, send, '/fields', 'fields', 'the custom field look-up');
}
