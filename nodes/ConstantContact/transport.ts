import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DestinationRequest, DestinationResponse, RequestSender } from '../shared/adapter';
import { MAX_PAGES } from '../shared/engine/retryPolicy';
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

/** A "next" link ("/v3/contacts?cursor=…", relative to the API host) as a request relative to the base URL. */
export function nextPage(href: string): DestinationRequest {
	const url = new URL(href, 'https://next.invalid');
	return { method: 'GET', path: url.pathname.replace(/^\/v3(?=\/)/, ''), qs: Object.fromEntries(url.searchParams) };
}

/**
 * Every page of a v3 collection: the first request, then `_links.next.href` (a cursor; absent on the
 * last page) until it ends, never more than MAX_PAGES.
 */
async function getAll<T>(node: INode, send: RequestSender, first: DestinationRequest, key: string, what: string): Promise<T[]> {
	const all: T[] = [];
	let request: DestinationRequest | undefined = first;
	for (let page = 0; request; page++) {
		if (page >= MAX_PAGES) throw new NodeOperationError(node, `Constant Contact kept sending pages for ${what} (more than ${MAX_PAGES})`, { description: 'Nothing was sent.' });
		const response = await send(request, 'discovery');
		if (response.statusCode !== 200) throw responseError(node, SERVICE_NAME, what, response, true);
		const body = response.body as Record<string, unknown> | undefined;
		const items = body && typeof body === 'object' && !Array.isArray(body) ? body[key] : undefined;
		if (!body || typeof body !== 'object' || Array.isArray(body) || (items !== undefined && !Array.isArray(items))) throw unexpectedDiscovery(node, SERVICE_NAME, what, response);
		all.push(...((items as T[] | undefined) ?? []));
		const next = (body._links as { next?: { href?: unknown } } | undefined)?.next?.href;
		request = typeof next === 'string' && next && (items as unknown[] | undefined)?.length ? nextPage(next) : undefined;
	}
	return all;
}

/** contact_lists: `limit` is "1 - 500" in the text and 1000 in the schema (v3 swagger): 500 a page, following `_links.next`. */
export async function getLists(node: INode, send: RequestSender): Promise<ConstantContactList[]> {
	return await getAll<ConstantContactList>(node, send, { method: 'GET', path: '/contact_lists', qs: { limit: 500, include_count: false } }, 'lists', 'the list look-up');
}

/** contact_custom_fields: at most 100 a page (v3 swagger), following `_links.next`. */
export async function getCustomFields(node: INode, send: RequestSender): Promise<ConstantContactCustomField[]> {
	return await getAll<ConstantContactCustomField>(node, send, { method: 'GET', path: '/contact_custom_fields', qs: { limit: 100 } }, 'custom_fields', 'the custom field look-up');
}
