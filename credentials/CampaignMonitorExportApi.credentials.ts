import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { CAMPAIGN_MONITOR_DEFAULT_BASE_URL } from '../nodes/CampaignMonitor/limits';

export class CampaignMonitorExportApi implements ICredentialType {
	name = 'campaignMonitorExportApi';

	displayName = 'Campaign Monitor Export API';

	documentationUrl = 'https://www.campaignmonitor.com/api/v3-3/getting-started/';

	icon = { light: 'file:../nodes/CampaignMonitor/campaignMonitor.svg', dark: 'file:../nodes/CampaignMonitor/campaignMonitor.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Account Settings → API keys in Campaign Monitor',
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
