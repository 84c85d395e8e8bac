import type { RequestContext } from '../shared/transport';
import { checkBaseUrl, sendRaw } from '../shared/transport';
import type { RequestSender } from '../shared/adapter';
import { OMNISEND_DEFAULT_BASE_URL } from './limits';

export const CREDENTIAL_TYPE = 'omnisendExportApi';
export const SERVICE_NAME = 'Omnisend';

export async function omnisendBaseUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	return checkBaseUrl(context.getNode(), credentials.baseUrl ?? OMNISEND_DEFAULT_BASE_URL, SERVICE_NAME);
}

export function editorSender(context: RequestContext, baseUrl: string): RequestSender {
	return async (request) => await sendRaw(context, CREDENTIAL_TYPE, baseUrl, request);
}
