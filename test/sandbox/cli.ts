import { startSandbox } from './server';

/**
 * `npm run sandbox [-- --port 5680 --scale 1] [--cc-token-seconds 86400]`: the sandbox on its own, for
 * a real n8n or a person with curl. A short Constant Contact token lifetime makes refreshes happen.
 */
async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const option = (name: string, fallback: number) => {
		const at = args.indexOf(`--${name}`);
		return at >= 0 ? Number(args[at + 1]) : fallback;
	};
	const ccAccessTokenSeconds = args.includes('--cc-token-seconds') ? option('cc-token-seconds', 86_400) : undefined;
	const sandbox = await startSandbox({ port: option('port', 5680), scale: option('scale', 1), ccAccessTokenSeconds });
	const stop = () => void sandbox.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	if (args.includes('--json')) {
		// For scripts that start the sandbox in a child process: one line with everything they need.
		console.log(JSON.stringify({ url: sandbox.url, scale: sandbox.scale, endpoints: sandbox.endpoints }));
		return;
	}
	const { campaignMonitor, activeCampaign, omnisend } = sandbox.endpoints;
	const constantContact = sandbox.constantContactCredentials();
	console.log(`Destination sandbox listening on ${sandbox.url} (rate limits and processing times × ${sandbox.scale})`);
	console.log('');
	console.log('Campaign Monitor');
	console.log(`  Base URL: ${campaignMonitor.baseUrl}`);
	console.log(`  API key:  ${campaignMonitor.apiKey}   (sandbox test key)`);
	console.log(`  Lists:    ${sandbox.campaignMonitor.snapshot().lists.map((list) => `${list.ListID} (${list.Title})`).join(', ')}`);
	console.log('');
	console.log('Constant Contact (OAuth2)');
	console.log(`  API base URL:     ${constantContact.baseUrl}`);
	console.log(`  Access token URL: ${constantContact.accessTokenUrl}`);
	console.log(`  Client ID / secret: ${constantContact.clientId} / ${constantContact.clientSecret}`);
	console.log(`  Authorization code (for the code exchange): sandbox-cc-authorization-code; or POST ${sandbox.url}/_sandbox/constantContact/tokens for a token pair`);
	console.log(`  Lists:    ${sandbox.constantContact.lists.map((list) => `${list.list_id} (${list.name})`).join(', ')}`);
	console.log('');
	console.log('ActiveCampaign');
	console.log(`  Account URL: ${activeCampaign.accountUrl}`);
	console.log(`  API key:     ${activeCampaign.apiKey}`);
	console.log(`  Lists:       ${sandbox.activeCampaign.lists.map((list) => `${list.id} (${list.name})`).join(', ')}`);
	console.log('');
	console.log('Omnisend');
	console.log(`  Base URL: ${omnisend.baseUrl}`);
	console.log(`  API key:  ${omnisend.apiKey}`);
	console.log('');
	console.log(`Rate limit factor for credentials at this scale: ${sandbox.scale}`);
	console.log(`Control: GET ${sandbox.url}/_sandbox/state, GET /_sandbox/requests, POST /_sandbox/reset, POST /_sandbox/faults`);
	console.log('');
	console.log('What to do with these values:');
	console.log('  - In your own n8n with this package installed, on this machine (the sandbox listens on 127.0.0.1; plain http');
	console.log('    is accepted for loopback hosts only): Credentials → Add credential → "Campaign Monitor Export API",');
	console.log('    "ActiveCampaign Export API" or "Omnisend Export API"; enter the base URL (or account URL) and API key above,');
	console.log(`    and set Rate Limit Factor to ${sandbox.scale} where the form has it. Then pick that credential in the exporter node.`);
	console.log('    Constant Contact needs an OAuth2 connection with the client ID and secret above.');
	console.log('  - Or use `npm run n8n` instead of this command: it starts a real n8n with this package, a sandbox like this one,');
	console.log('    credentials for all four services already created and connected, and the example workflows.');
	console.log('');
	console.log('Press Ctrl+C to stop.');
}

void main();
