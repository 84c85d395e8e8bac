import { readFileSync, rmSync } from 'fs';
import type { AddressInfo } from 'net';
import { createServer } from 'net';
import { join } from 'path';

import type { SandboxState } from '../../test/destinations';
import { DESTINATIONS } from '../../test/destinations';
import { CACHE, importExamples, n8nCommand, prepareN8n, progress, ROOT, startN8n, startSandboxProcess } from './n8nRuntime';

/**
 * `npm run test:e2e`: the package installed into a real n8n 2.x as users install it, the example
 * workflows imported with sandbox credentials, each scheduled example run with `n8n execute`, the
 * webhook example served by `n8n start`, and n8n's log checked for trouble with the package.
 */

const PACKAGE = 'n8n-nodes-segment-export';
const SCALE = 10;
const results: Array<{ name: string; ok: boolean; detail: string }> = [];

function check(name: string, ok: boolean, detail: string): void {
	results.push({ name, ok, detail });
	progress(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

async function sandboxState(url: string): Promise<SandboxState> {
	return (await (await fetch(`${url}/_sandbox/state`)).json()) as SandboxState;
}

/** Contacts the sandbox holds for each destination of the registry, and in the VIP list the webhook example fills. */
function received(state: SandboxState): Record<string, number> {
	const counts: Record<string, number> = Object.fromEntries(DESTINATIONS.map((destination) => [destination.slug, destination.storedInState(state)]));
	const cmLists = state.campaignMonitor.lists as Array<{ ListID: string; subscribers: number }>;
	counts['campaign-monitor-vip'] = cmLists.find((list) => list.ListID === 'cm-list-vip')!.subscribers;
	return counts;
}

/** A free TCP port on loopback (n8n also takes the next one for its task broker). */
async function freePort(): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolve) => {
			const server = createServer().listen(0, '127.0.0.1', () => {
				const { port: found } = server.address() as AddressInfo;
				server.close(() => resolve(found));
			});
		});
		const next = await new Promise<boolean>((resolve) => {
			const server = createServer().once('error', () => resolve(false)).listen(port + 1, '127.0.0.1', () => server.close(() => resolve(true)));
		});
		if (next) return port;
	}
}

async function postProfiles(url: string, profiles: unknown[]): Promise<Response> {
	return await fetch(`${url}/webhook/segment-export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profiles }) });
}

async function main(): Promise<void> {
	const { userFolder } = prepareN8n();
	progress(`Starting the destination sandbox (limits × ${SCALE})`);
	const sandbox = await startSandboxProcess(SCALE);
	let n8n: Awaited<ReturnType<typeof startN8n>> | undefined;
	try {
		progress('Importing the sandbox credentials and the example workflows');
		const files = importExamples(userFolder, sandbox.endpoints);
		check('import', true, `${files.length} workflows: ${files.join(', ')}`);

		for (const { slug: destination } of DESTINATIONS) {
			const file = `scheduled-${destination}.json`;
			const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as { id: string; nodes: Array<{ name: string; type: string }> };
			const before = received(await sandboxState(sandbox.url))[destination];
			progress(`Running ${file} with n8n execute`);
			const run = n8nCommand(userFolder, ['execute', `--id=${workflow.id}`, '--rawOutput']);
			const after = received(await sandboxState(sandbox.url))[destination];
			const exporter = workflow.nodes.find((node) => node.type.endsWith('Export'))!.name;
			// --rawOutput prints the run as pretty JSON between a line "{" and a line "}"; log lines may surround it.
			const lines = run.stdout.split('\n');
			const output = lines.slice(lines.indexOf('{'), lines.lastIndexOf('}') + 1).join('\n');
			let exported = -1;
			try {
				const data = JSON.parse(output) as { data: { resultData: { runData: Record<string, Array<{ data: { main: Array<Array<{ json: Record<string, unknown> }>> } }>> } } };
				exported = Number(data.data.resultData.runData[exporter][0].data.main[0][0].json.exported);
			} catch {
				progress(`n8n execute printed ${run.stdout.length} characters, ending: ${run.stdout.slice(-400)}`);
			}
			check(
				`execute ${file}`,
				run.status === 0 && after - before > 200 && exported === after - before,
				run.status === 0 ? `the sandbox received ${after - before} contacts (${destination}); Summary says exported ${exported}` : `exit ${run.status}: ${(run.stderr || run.stdout).slice(-1500)}`,
			);
		}

		progress('Activating the webhook example and starting n8n');
		const publish = n8nCommand(userFolder, ['publish:workflow', '--id=SegExpWebhook001']);
		check('publish webhook example', publish.status === 0, publish.status === 0 ? 'published' : (publish.stderr || publish.stdout).trim().slice(-600));
		n8n = await startN8n(userFolder, await freePort());
		progress(`n8n answers at ${n8n.url}`);

		const profiles = Array.from({ length: 120 }, (_, i) => ({ email: `webhook.${i}@example.com`, firstName: `Web${i}`, lastName: 'Hook', city: 'Lisbon' }));
		profiles.push({ email: 'not-an-address', firstName: 'Bad', lastName: 'Row', city: '' });
		const before = received(await sandboxState(sandbox.url))['campaign-monitor-vip'];
		progress(`POSTing ${profiles.length} profiles to ${n8n.url}/webhook/segment-export`);
		// n8n registers published webhooks shortly after it starts answering: a 404 until then.
		let response = await postProfiles(n8n.url, profiles);
		for (let attempt = 0; response.status === 404 && attempt < 60; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 1000));
			response = await postProfiles(n8n.url, profiles);
		}
		const text = await response.text();
		let summary: Record<string, unknown> = {};
		try {
			summary = JSON.parse(text) as Record<string, unknown>;
		} catch {
			// reported below
		}
		const after = received(await sandboxState(sandbox.url))['campaign-monitor-vip'];
		check(
			'webhook example',
			response.status === 200 && summary.exported === 120 && summary.destination === 'campaignMonitor' && after - before === 120,
			`HTTP ${response.status}, Summary ${text.slice(0, 300)}; the sandbox received ${after - before} contacts`,
		);

		const loaded = n8n.log.find((line) => line.includes(`Loaded all credentials and nodes from ${PACKAGE}`));
		check('package loaded', /"credentials":\s*4,\s*"nodes":\s*5/.test(loaded ?? ''), loaded?.replace(/^.*Loaded/, 'Loaded').slice(0, 160) ?? 'no line says the package was loaded');
		// Lines about the package: its name outside the cache folder's path (which holds it too), or its
		// node types. The 404s of the webhook probe above are n8n's answer to it, not trouble.
		const trouble = n8n.log
			.map((line) => line.split(CACHE).join('<cache>'))
			.filter((line) => /segment-export|segmentSource|campaignMonitor|constantContact|activeCampaignExport|omnisend/i.test(line) && /\b(error|warn|warning|failed)\b/i.test(line))
			.filter((line) => !line.includes('Received request for unknown webhook'));
		check('n8n log', trouble.length === 0, trouble.length ? trouble.slice(0, 5).join(' | ') : `${n8n.log.length} lines, none with an error or warning about the package`);
	} finally {
		n8n?.process.kill('SIGTERM');
		sandbox.process.kill('SIGTERM');
	}
	const failed = results.filter((result) => !result.ok).length;
	if (!failed) rmSync(userFolder, { recursive: true, force: true });
	else progress(`n8n's folder is kept for a look: ${userFolder}`);
	console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch((error: Error) => {
	console.error(error.message);
	console.log('e2e: 0 passed, 1 failed');
	process.exit(1);
});
