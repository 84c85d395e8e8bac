import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { CONSTANT_CONTACT_DEFAULT_BASE_URL } from '../nodes/ConstantContact/limits';

const CONSTANT_CONTACT_AUTHORIZE_URL = 'https://authz.constantcontact.com/oauth2/default/v1/authorize';
const CONSTANT_CONTACT_TOKEN_URL = 'https://authz.constantcontact.com/oauth2/default/v1/token';

export class ConstantContactExportOAuth2Api implements ICredentialType {
	name = 'constantContactExportOAuth2Api';

	extends = ['oAuth2Api'];

	// n8n's form says "In <name without OAuth2 API>, use the URL above…": the name must read as the service.
	displayName = 'Constant Contact OAuth2 API';

	documentationUrl = 'https://developer.constantcontact.com/api_guide/auth_overview.html';

	icon = { light: 'file:../nodes/ConstantContact/constantContact.svg', dark: 'file:../nodes/ConstantContact/constantContact.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName:
				'Register an application in Constant Contact\'s developer portal with the Authorization Code flow and n8n\'s OAuth redirect URL, then enter its Client ID and Client Secret below: both are required.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		// The Authorization Code flow with the client secret: Constant Contact documents it for apps that
		// can keep a secret (developer.constantcontact.com/api_guide/server_flow.html), which n8n is; PKCE is
		// documented for public clients only (pkce_flow.html). Credentials saved earlier with the PKCE
		// grant keep working: n8n refreshes them with the same refresh-token request.
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		// Constant Contact's own authorization server unless a test server is asked for explicitly, so
		// that no user sees a URL field they must not change.
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: CONSTANT_CONTACT_AUTHORIZE_URL,
			displayOptions: { show: { customOAuthServer: [false] } },
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: CONSTANT_CONTACT_TOKEN_URL,
			displayOptions: { show: { customOAuthServer: [false] } },
		},
		{
			displayName: 'Custom OAuth Server',
			name: 'customOAuthServer',
			type: 'boolean',
			default: false,
			description: 'Whether to sign in at another authorization server than Constant Contact\'s, such as a local sandbox. Leave off.',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: CONSTANT_CONTACT_AUTHORIZE_URL,
			displayOptions: { show: { customOAuthServer: [true] } },
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: CONSTANT_CONTACT_TOKEN_URL,
			displayOptions: { show: { customOAuthServer: [true] } },
		},
		// offline_access gives the refresh token; account_read serves the credential test.
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: 'contact_data offline_access account_read' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'header' },
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: CONSTANT_CONTACT_DEFAULT_BASE_URL,
			description: 'Change only to reach a proxy or a test server. Plain http is accepted for loopback hosts only.',
		},
		{
			displayName: 'Rate Limit Factor',
			name: 'rateLimitFactor',
			type: 'number',
			typeOptions: { minValue: 0.01 },
			default: 1,
			description: 'Multiplies the published limit of 4 requests per second. Leave at 1 unless Constant Contact raised your application\'s limit.',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/account/summary',
		},
	};
}
