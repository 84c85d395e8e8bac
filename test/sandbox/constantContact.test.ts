import { useSandbox } from '../harness/fixtures';
import { CC_AUTHORIZATION_CODE, CC_CLIENT_ID } from './constantContact';

describe('Constant Contact sandbox authorization page', () => {
	const sandbox = useSandbox();

	test('allows access with a link back to the redirect URI carrying the code and the state', async () => {
		const { url } = sandbox();
		const query = new URLSearchParams({ client_id: CC_CLIENT_ID, redirect_uri: 'http://127.0.0.1:5678/rest/oauth2-credential/callback', response_type: 'code', state: 'abc', scope: 'contact_data offline_access account_read' });
		const response = await fetch(`${url}/cc/oauth2/default/v1/authorize?${query}`);
		expect(response.status).toBe(200);
		const page = await response.text();
		const link = /id="allow" href="([^"]+)"/.exec(page)![1].replace(/&amp;/g, '&');
		const back = new URL(link);
		expect(back.origin + back.pathname).toBe('http://127.0.0.1:5678/rest/oauth2-credential/callback');
		expect(back.searchParams.get('code')).toBe(CC_AUTHORIZATION_CODE);
		expect(back.searchParams.get('state')).toBe('abc');
		expect((await fetch(`${url}/cc/oauth2/default/v1/authorize?client_id=someone-else`)).status).toBe(400);
	});
});
