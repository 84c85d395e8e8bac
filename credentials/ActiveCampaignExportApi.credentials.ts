import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class ActiveCampaignExportApi implements ICredentialType {
	name = 'activeCampaignExportApi';

	displayName = 'ActiveCampaign Export API';

	documentationUrl = 'https://developers.activecampaign.com/reference/authentication';

	icon = { light: 'file:../nodes/ActiveCampaign/activeCampaign.svg', dark: 'file:../nodes/ActiveCampaign/activeCampaign.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName:
				'Where to find both values: in ActiveCampaign, Settings → Developer shows the URL (like https://youraccount.api-us1.com) and the Key. Every user has a key of their own that acts with that user\'s permissions: use a user who may add and edit contacts and lists.',
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
			description: 'The Key from Settings → Developer in ActiveCampaign',
		},
		{
			displayName: 'Account URL',
			name: 'accountUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'youraccount.api-us1.com',
			description: 'The API URL from Settings → Developer: the host name alone (https is assumed) or the full URL',
		},
		{
			displayName: 'Advanced: leave the setting below at 1. It is only for an account whose limits ActiveCampaign raised, and for the test sandbox.',
			name: 'advancedNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Rate Limit Factor',
			name: 'rateLimitFactor',
			type: 'number',
			typeOptions: { minValue: 0.01 },
			default: 1,
			description: 'Multiplies the published limits (5 requests per second, 100 bulk imports per minute). 1 keeps to them; 2 means ActiveCampaign doubled your account\'s limits.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'Api-Token': '={{$credentials.apiKey}}' } },
	};

	// Host-only URLs get https://, the form the account settings page shows.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{(/^https?:\\/\\//i.test($credentials.accountUrl.trim()) ? $credentials.accountUrl.trim() : "https://" + $credentials.accountUrl.trim()).replace(/\\/+$/, "").replace(/\\/api\\/3$/, "")}}',
			url: '/api/3/users/me',
		},
	};
}
