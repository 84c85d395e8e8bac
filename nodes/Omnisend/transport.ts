import type { RequestContext } from '../shared/transport';
import { checkBaseUrl } from '../shared/transport';
import { OMNISEND_DEFAULT_BASE_URL } from './limits';

export const CREDENTIAL_TYPE = 'omnisendExportApi';
export const SERVICE_NAME = 'Omnisend';

export async function omnisendBaseUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	return checkBaseUrl(context.getNode(), credentials.baseUrl ?? OMNISEND_DEFAULT_BASE_URL, SERVICE_NAME);
}

