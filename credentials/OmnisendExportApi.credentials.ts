import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { OMNISEND_DEFAULT_BASE_URL } from '../nodes/Omnisend/limits';

export class OmnisendExportApi implements ICredentialType {
	name = 'omnisendExportApi';

	displayName = 'Omnisend Export API';

	documentationUrl = 'https://api-docs.omnisend.com/reference/authentication';

	icon = { light: 'file:../nodes/Omnisend/omnisend.svg', dark: 'file:../nodes/Omnisend/omnisend.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName:
				'Where to find the key: in Omnisend, Store settings → API keys → Create API key (Omnisend shows the key once). Permissions the key needs: Brands: read (the credential test reads your brand), Contacts: write and Batches: read and write (the export sends contacts in batches and reads their results).',
			name: 'keyNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Store settings → API keys in Omnisend; permissions: brands read, contacts write, batches read and write',
		},
		{
			displayName: 'Advanced: leave the settings below as they are. They are only for a proxy or test server, for a brand whose limits Omnisend raised, and for the test sandbox.',
			name: 'advancedNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: OMNISEND_DEFAULT_BASE_URL,
			description: 'Change only to reach a proxy or a test server. Plain http is accepted for loopback hosts only.',
		},
		{
			displayName: 'Rate Limit Factor',
			name: 'rateLimitFactor',
			type: 'number',
			typeOptions: { minValue: 0.01 },
			default: 1,
			description: 'Multiplies the published limit of 400 requests per minute. 1 keeps to it; 2 means Omnisend doubled your brand\'s limit.',
		},
	];

	// API version 2026-03-15 wants both headers on every request.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Omnisend-API-Key {{$credentials.apiKey}}',
				'Omnisend-Version': '2026-03-15',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/brands/current',
		},
	};
}
