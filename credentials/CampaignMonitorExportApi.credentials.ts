import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { CAMPAIGN_MONITOR_DEFAULT_BASE_URL } from '../nodes/CampaignMonitor/limits';

export class CampaignMonitorExportApi implements ICredentialType {
	name = 'campaignMonitorExportApi';

	displayName = 'Campaign Monitor Export API';

	documentationUrl = 'https://www.campaignmonitor.com/api/v3-3/getting-started/';

	icon = { light: 'file:../nodes/CampaignMonitor/campaignMonitor.svg', dark: 'file:../nodes/CampaignMonitor/campaignMonitor.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName:
				'Where to find the API key: in Campaign Monitor, Account settings → API keys. Use the account API key there: it reaches every client\'s lists, and the node\'s list picker shows them all. A client API key (a client\'s own settings → API keys) reaches only that client\'s lists; if the picker cannot list them with it, give the list By ID (the list\'s API ID, from its settings page). The key acts with the rights of the person who generated it: they must be allowed to manage subscribers.',
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
			description: 'The account API key (Account settings → API keys), or a client API key for one client\'s lists',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: CAMPAIGN_MONITOR_DEFAULT_BASE_URL,
			description: 'Change only to reach a proxy or a test server. Plain http is accepted for loopback hosts only.',
		},
	];

	// Campaign Monitor takes the API key as the Basic-auth user name; the password is ignored.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: { username: '={{$credentials.apiKey}}', password: 'x' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/systemdate.json',
		},
	};
}
