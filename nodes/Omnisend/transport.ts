import type { RequestContext } from '../shared/transport';
import { checkBaseUrl } from '../shared/transport';
import { OMNISEND_DEFAULT_BASE_URL, OMNISEND_LIMITS } from './limits';
import type { DestinationIdentity } from '../shared/adapterBase';

export const CREDENTIAL_TYPE = 'omnisendExportApi';
export const SERVICE_NAME = 'Omnisend';

/** The destination as the engine and the Summary know it. */
export const OMNISEND: DestinationIdentity = { destination: 'omnisend', serviceName: SERVICE_NAME, credentialType: CREDENTIAL_TYPE, limits: OMNISEND_LIMITS };

export async function omnisendBaseUrl(context: RequestContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	return checkBaseUrl(context.getNode(), credentials.baseUrl ?? OMNISEND_DEFAULT_BASE_URL, SERVICE_NAME);
}

