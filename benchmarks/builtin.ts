import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import type { ICredentialDataDecryptedObject, IWorkflowBase } from 'n8n-workflow';
import { join } from 'path';

import { floorSeconds } from './floors';

/**
 * n8n's built-in ActiveCampaign node (package n8n-nodes-base, the same 2.41 line as the n8n-core of the
 * tests) creating contacts one request per item, as its users run it: a Loop Over Items of 5 with a
 * Wait of 1 second, the usual way to keep under ActiveCampaign's 5 requests per second (the node has no
 * pacing of its own and stops at the first 429). Taken from the real n8n the e2e tests install, never
 * a dependency of this package.
 */

const ROOT = join(__dirname, '..', '..');
const N8N_DIR = join(process.env.N8N_E2E_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'n8n-nodes-segment-export'), 'n8n-2.41.1');
const NODES_BASE = join(N8N_DIR, 'node_modules', 'n8n-nodes-base', 'dist');

export interface BuiltinComparison {
	n: number;
	oursSeconds: number;
	builtinSeconds: number;
	speedup: number;
	oursProjectedSecondsFor1M: number;
	builtinProjectedSecondsFor1M: number;
}

type Log = (text: string) => void;

function loadBuiltins() {
	if (!existsSync(NODES_BASE)) {
		const install = spawnSync('bash', [join(ROOT, 'scripts', 'e2e', 'install-n8n.sh')], { stdio: 'inherit' });
		if (install.status !== 0) throw new Error('Installing n8n (for n8n-nodes-base) failed');
	}
	/* eslint-disable @typescript-eslint/no-require-imports */
	const { ActiveCampaign } = require(join(NODES_BASE, 'nodes', 'ActiveCampaign', 'ActiveCampaign.node.js'));
	const { SplitInBatches } = require(join(NODES_BASE, 'nodes', 'SplitInBatches', 'SplitInBatches.node.js'));
	const { Wait } = require(join(NODES_BASE, 'nodes', 'Wait', 'Wait.node.js'));
	const { ActiveCampaignApi } = require(join(NODES_BASE, 'credentials', 'ActiveCampaignApi.credentials.js'));
	const { registerExternalTypes } = require('../test/harness/run') as typeof import('../test/harness/run');
	/* eslint-enable @typescript-eslint/no-require-imports */
	registerExternalTypes(
		{ 'n8n-nodes-base.activeCampaign': new ActiveCampaign(), 'n8n-nodes-base.splitInBatches': new SplitInBatches(), 'n8n-nodes-base.wait': new Wait() },
		[new ActiveCampaignApi()],
	);
}

function builtinWorkflow() {
	const node = (name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
		id: name,
		name,
		type,
		typeVersion,
		position: [0, 0] as [number, number],
		parameters,
		...extra,
	});
	return {
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node('Loop Over Items', 'n8n-nodes-base.splitInBatches', 3, { batchSize: 5, options: {} }),
			node(
				'ActiveCampaign',
				'n8n-nodes-base.activeCampaign',
				1,
				{
					resource: 'contact',
					operation: 'create',
					email: '={{ $json.email }}',
					updateIfExists: true,
					additionalFields: { firstName: '={{ $json.firstName }}', lastName: '={{ $json.lastName }}', phone: '={{ $json.phone }}' },
				},
				{ credentials: { activeCampaignApi: { id: 'builtin', name: 'ActiveCampaign (sandbox)' } } },
			),
			node('Wait 1 second', 'n8n-nodes-base.wait', 1.1, { resume: 'timeInterval', amount: 1, unit: 'seconds' }, { webhookId: 'wait-builtin' }),
		],
		connections: {
			Start: { main: [[{ node: 'Loop Over Items', type: 'main', index: 0 }]] },
			'Loop Over Items': { main: [[], [{ node: 'ActiveCampaign', type: 'main', index: 0 }]] },
			ActiveCampaign: { main: [[{ node: 'Wait 1 second', type: 'main', index: 0 }]] },
			'Wait 1 second': { main: [[{ node: 'Loop Over Items', type: 'main', index: 0 }]] },
		},
	};
}

/** Runs both at the published limits (scale 1) against a fresh sandbox each. */
export async function compareWithBuiltin(
	n: number,
	startSandbox: (scale: number) => Promise<{ url: string; endpoints: Record<string, Record<string, unknown>>; stop: () => void }>,
	log: Log,
	oursRatioAtScale: number | undefined,
): Promise<BuiltinComparison> {
	loadBuiltins();
	/* eslint-disable @typescript-eslint/no-require-imports */
	const { runWorkflow } = require('../test/harness/run') as typeof import('../test/harness/run');
	const { chain } = require('../test/harness/workflows') as typeof import('../test/harness/workflows');
	const { sampleProfiles } = require('../nodes/SegmentSource/sampleProfiles') as typeof import('../nodes/SegmentSource/sampleProfiles');
	/* eslint-enable @typescript-eslint/no-require-imports */
	const profiles = sampleProfiles(n, false).map((json) => ({ json }));

	log(`ours: exporting ${n} contacts at the published limits (scale 1)`);
	let sandbox = await startSandbox(1);
	let started = Date.now();
	const ours = await runWorkflow(
		chain(
			{ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'items' } },
			{ name: 'Export', type: 'activeCampaignExport', credentials: { activeCampaignExportApi: { id: 'ours', name: 'ours' } }, parameters: { privacyAcknowledged: true, lists: ['1'] } },
		),
		{ credentials: { activeCampaignExportApi: sandbox.endpoints.activeCampaign as ICredentialDataDecryptedObject }, startItems: profiles },
	);
	const oursSeconds = (Date.now() - started) / 1000;
	const oursSummary = ours.output('Export', 0)[0].json;
	sandbox.stop();
	if (oursSummary.exported !== n) throw new Error(`ours exported ${String(oursSummary.exported)} of ${n}`);
	log(`ours: ${n} contacts in ${oursSeconds.toFixed(1)} s`);

	log(`n8n's ActiveCampaign node: ${n} contacts, one request each, Loop Over Items of 5 + Wait 1 s (about ${Math.round(n / 5)} s)`);
	sandbox = await startSandbox(1);
	const { accountUrl, apiKey } = sandbox.endpoints.activeCampaign as { accountUrl: string; apiKey: string };
	const progress = setInterval(() => {
		void fetch(`${sandbox.url}/_sandbox/state`)
			.then(async (response) => (await response.json()) as { activeCampaign: { contacts: number } })
			.then((state) => log(`n8n's ActiveCampaign node: ${state.activeCampaign.contacts}/${n} contacts so far`));
	}, 30_000);
	started = Date.now();
	const builtin = await runWorkflow(builtinWorkflow() as unknown as Pick<IWorkflowBase, 'nodes' | 'connections'>, { credentials: { activeCampaignApi: { apiUrl: accountUrl, apiKey } }, startItems: profiles });
	const builtinSeconds = (Date.now() - started) / 1000;
	clearInterval(progress);
	const state = (await (await fetch(`${sandbox.url}/_sandbox/state`)).json()) as { activeCampaign: { contacts: number } };
	sandbox.stop();
	const failure = builtin.nodeError('ActiveCampaign') ?? builtin.run.data.resultData.error;
	if (failure || state.activeCampaign.contacts !== n) throw new Error(`n8n's ActiveCampaign node stored ${state.activeCampaign.contacts} of ${n}${failure ? `: ${failure.message}` : ''}`);
	log(`n8n's ActiveCampaign node: ${n} contacts in ${builtinSeconds.toFixed(1)} s`);

	// A million at the published limits: one request per contact at 5 per second for the built-in node;
	// for ours, the floor of 4,000 bulk imports stretched by the ratio measured at full size.
	const oursFloor1M = floorSeconds('active-campaign', 4000, 250, 1);
	return {
		n,
		oursSeconds: Math.round(oursSeconds * 10) / 10,
		builtinSeconds: Math.round(builtinSeconds * 10) / 10,
		speedup: Math.round((builtinSeconds / oursSeconds) * 10) / 10,
		oursProjectedSecondsFor1M: Math.round(oursFloor1M * (oursRatioAtScale ?? 1)),
		builtinProjectedSecondsFor1M: Math.round((1_000_000 / n) * builtinSeconds),
	};
}
