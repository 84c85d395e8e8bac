import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import type { RequestLogEntry } from '../../test/sandbox/core';
import { REQUEST_LOG_MESSAGE } from '../../nodes/shared/engine/session';
import { N8N_DIR, n8nCommand, progress, ROOT } from './n8nRuntime';
import type { QueueRun } from './queue';
import { query, startQueue } from './queue';

/**
 * `npm run test:queue`: five exports at once through production webhooks of n8n in queue mode (main
 * + 2 workers, Postgres, Redis): two to the same ActiveCampaign account, two with the same Constant
 * Contact credential (access tokens living seconds, so n8n refreshes them during the run; refresh
 * tokens rotate and a reused one revokes the grant), one to Omnisend, each from Segment Source's
 * Member File output. Checks from n8n's execution records, the
 * workers' logs and the sandbox: both workers ran exports, every contact is accounted and at the
 * destination exactly once, every 429 was honoured by the worker that got it, and the Constant
 * Contact credential still works afterwards. Prints the 429s (a figure, not a check).
 */

/** Limits × 2: runs of a few seconds in which two processes still contend for one account. */
const SCALE = 2;
const CC_TOKEN_SECONDS = 2;
const CONTACTS = 1000;
const PART_SIZE = 250;
/** Each worker takes at most three jobs, so five exports cannot all land on one worker. */
const CONCURRENCY = 3;

interface ExportCase {
	name: string;
	example: string;
	service: 'activeCampaign' | 'constantContact' | 'omnisend';
	batchSize?: number;
	/** Exporter parameters over the example's. */
	parameters?: Record<string, unknown>;
}

const EXPORTS: ExportCase[] = [
	{ name: 'ac-1', example: 'scheduled-active-campaign.json', service: 'activeCampaign', batchSize: 50 },
	{ name: 'ac-2', example: 'scheduled-active-campaign.json', service: 'activeCampaign', batchSize: 50 },
	{ name: 'cc-1', example: 'scheduled-constant-contact.json', service: 'constantContact', batchSize: 100 },
	{ name: 'cc-2', example: 'scheduled-constant-contact.json', service: 'constantContact', batchSize: 100 },
	{ name: 'omnisend', example: 'scheduled-omnisend.json', service: 'omnisend' },
];

/** Sync Mode Mirror in queue mode: its state in n8n's Postgres, whichever worker runs the export. */
const SYNC_CASE: ExportCase = { name: 'sync', example: 'scheduled-omnisend.json', service: 'omnisend', parameters: { syncMode: 'mirror', tags: 'queue-sync', tagWithSegments: false } };
const SYNC_CONTACTS = 200;

const results: Array<{ name: string; ok: boolean; detail: string }> = [];
function check(name: string, ok: boolean, detail: string): void {
	results.push({ name, ok, detail });
	progress(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

const workflowId = (exportCase: ExportCase) => `SegExpQueue${exportCase.name.replace(/[^a-z0-9]/gi, '')}`.slice(0, 16).padEnd(16, '0');
const emailOf = (exportCase: ExportCase, index: number) => `queue.${exportCase.name}.${index}@example.com`;

/** Webhook → one item per profile → Segment Source (Member File output, in parts) → the example's exporter → the Summary as the answer. */
function webhookWorkflow(exportCase: ExportCase): Record<string, unknown> {
	const example = JSON.parse(readFileSync(join(ROOT, 'examples', exportCase.example), 'utf8')) as { nodes: Array<Record<string, unknown>> };
	const exporter = example.nodes.find((node) => String(node.type).endsWith('Export'))!;
	const parameters = exporter.parameters as Record<string, unknown>;
	const node = (name: string, type: string, typeVersion: number, nodeParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
		id: `${workflowId(exportCase)}-${name}`,
		name,
		type,
		typeVersion,
		position: [0, 0],
		parameters: nodeParameters,
		...extra,
	});
	const names = ['Webhook', 'One item per profile', 'Segment Source', 'Export', 'Respond'];
	return {
		id: workflowId(exportCase),
		name: `Queue test ${exportCase.name}`,
		active: false,
		nodes: [
			node(names[0], 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: `queue-${exportCase.name}`, responseMode: 'responseNode', options: {} }, { webhookId: `0e5a7c1e-0000-4000-8000-${workflowId(exportCase).slice(-12).toLowerCase().replace(/[^0-9a-f]/g, '0')}` }),
			node(names[1], 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.profiles', options: {} }),
			node(names[2], 'n8n-nodes-segment-export.segmentSource', 2, { source: 'items', options: { outputMode: 'memberFile', memberFilePartSize: PART_SIZE } }),
			node(names[3], String(exporter.type), Number(exporter.typeVersion), { ...parameters, ...exportCase.parameters, options: { ...(parameters.options as object | undefined), ...(exportCase.batchSize ? { batchSize: exportCase.batchSize } : {}) } }, { credentials: exporter.credentials }),
			node(names[4], 'n8n-nodes-base.respondToWebhook', 1.1, { respondWith: 'json', responseBody: '={{ JSON.stringify($json) }}', options: {} }),
		],
		connections: Object.fromEntries(names.slice(0, -1).map((name, index) => [name, { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] }])),
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** One import for all, then each published (n8n 2.x serves production webhooks of published workflows only). */
function importAndPublish(userFolder: string, env: NodeJS.ProcessEnv): void {
	const folder = join(userFolder, 'queue-workflows');
	mkdirSync(folder);
	for (const exportCase of [...EXPORTS, SYNC_CASE]) writeFileSync(join(folder, `${exportCase.name}.json`), JSON.stringify(webhookWorkflow(exportCase), null, 2));
	const commands = [['import:workflow', '--separate', `--input=${folder}`], ...[...EXPORTS, SYNC_CASE].map((exportCase) => ['publish:workflow', `--id=${workflowId(exportCase)}`])];
	for (const args of commands) {
		const result = n8nCommand(userFolder, args, env);
		if (result.status !== 0) throw new Error(`n8n ${args[0]} failed:\n${(result.stderr || result.stdout).slice(-1500)}`);
	}
}

/** The workers' logs and the sandbox's request log, for a look after a failure. */
function keepLogs(queue: QueueRun, sandboxLog: unknown): string {
	const folder = join(ROOT, '.build', 'queue-test');
	mkdirSync(folder, { recursive: true });
	for (const child of [queue.main, ...queue.workers]) writeFileSync(join(folder, `${child.name.replace(' ', '-')}.log`), `${child.log.join('\n')}\n`);
	writeFileSync(join(folder, 'sandbox-requests.json'), JSON.stringify(sandboxLog));
	return folder;
}

async function post(url: string, exportCase: ExportCase, profiles: unknown[]): Promise<{ status: number; text: string }> {
	let response = await fetch(`${url}/webhook/queue-${exportCase.name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profiles }) });
	// The main instance registers published webhooks shortly after it starts answering.
	for (let attempt = 0; response.status === 404 && attempt < 60; attempt++) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		response = await fetch(`${url}/webhook/queue-${exportCase.name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profiles }) });
	}
	return { status: response.status, text: await response.text() };
}

interface LogRecord {
	message?: string;
	metadata?: Record<string, unknown>;
}

function jsonLines(log: string[]): LogRecord[] {
	const records: LogRecord[] = [];
	for (const line of log) {
		if (!line.startsWith('{')) continue;
		try {
			records.push(JSON.parse(line) as LogRecord);
		} catch {
			// not one of n8n's JSON log lines
		}
	}
	return records;
}

type RunData = Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }>> } }>>;

/** The Summary of each execution's exporter, read from n8n's execution records in Postgres. */
function executionRecords(queue: QueueRun): Array<{ id: string; status: string; mode: string; workflowId: string; summary?: Record<string, unknown> }> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const flatted = require(join(N8N_DIR, 'node_modules', 'flatted')) as { parse(text: string): unknown };
	const rows = query<{ id: number; status: string; mode: string; workflowId: string; data: string }>(
		queue.postgres,
		'select e.id, e.status, e.mode, e."workflowId", d.data from execution_entity e join execution_data d on d."executionId" = e.id order by e.id',
	);
	return rows.map((row) => {
		const data = flatted.parse(row.data) as { resultData: { runData: RunData } };
		return { id: String(row.id), status: row.status, mode: row.mode, workflowId: row.workflowId, summary: data.resultData.runData.Export?.[0]?.data?.main[0]?.[0]?.json };
	});
}

async function main(): Promise<void> {
	const queue = await startQueue({
		workers: 2,
		concurrency: CONCURRENCY,
		sandboxScale: SCALE,
		sandboxArgs: ['--cc-token-seconds', String(CC_TOKEN_SECONDS)],
		workerEnv: { N8N_LOG_FORMAT: 'json' },
		beforeStart: ({ userFolder, env }) => {
			progress(`Importing and publishing ${EXPORTS.length} webhook workflows (production executions go through the queue)`);
			importAndPublish(userFolder, env);
		},
	});
	try {
		const started = Date.now();
		progress(`POSTing ${CONTACTS} profiles to each of ${EXPORTS.length} production webhooks at once`);
		const answers = await Promise.all(
			EXPORTS.map(async (exportCase) => {
				const profiles = Array.from({ length: CONTACTS }, (_, index) => ({ email: emailOf(exportCase, index), firstName: `Queue${index}`, lastName: exportCase.name, city: 'Lisbon' }));
				return await post(queue.main.url, exportCase, profiles);
			}),
		);
		progress(`All ${EXPORTS.length} answered after ${((Date.now() - started) / 1000).toFixed(1)} s`);

		const summaries = answers.map((answer) => {
			try {
				return JSON.parse(answer.text) as Record<string, unknown>;
			} catch {
				return {};
			}
		});
		EXPORTS.forEach((exportCase, index) => {
			const summary = summaries[index];
			const counts = ['exported', 'rejected', 'skipped', 'notSent'].map((key) => Number(summary[key]));
			check(
				`webhook ${exportCase.name}`,
				answers[index].status === 200 && summary.received === CONTACTS && counts[0] === CONTACTS && counts.reduce((sum, value) => sum + value, 0) === CONTACTS,
				`HTTP ${answers[index].status}; ${String(summary.message ?? answers[index].text.slice(0, 300))}`,
			);
		});

		// n8n's execution records: one successful webhook execution per workflow, its Summary accounting for every contact.
		// The answer leaves with the Respond node; the worker records the execution's end a moment later.
		const ours = () => executionRecords(queue).filter((record) => EXPORTS.some((exportCase) => workflowId(exportCase) === record.workflowId));
		let records = ours();
		for (let attempt = 0; attempt < 60 && records.some((record) => record.status === 'new' || record.status === 'running'); attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			records = ours();
		}
		for (const exportCase of EXPORTS) {
			const mine = records.filter((record) => record.workflowId === workflowId(exportCase));
			const summary = mine[0]?.summary ?? {};
			const counts = ['exported', 'rejected', 'skipped', 'notSent'].map((key) => Number(summary[key]));
			check(
				`execution record ${exportCase.name}`,
				mine.length === 1 && mine[0].status === 'success' && mine[0].mode === 'webhook' && summary.received === CONTACTS && counts.reduce((sum, value) => sum + value, 0) === CONTACTS,
				mine.length ? `execution ${mine[0].id}: status ${mine[0].status}, mode ${mine[0].mode}; Summary received ${String(summary.received)}, exported ${counts[0]}, rejected ${counts[1]}, skipped ${counts[2]}, not sent ${counts[3]}` : 'no execution recorded',
			);
		}

		// The member files went where n8n's queue-mode default puts binary data: its database (binary_data), readable by every worker.
		const ids = records.map((record) => `'${record.id}'`).join(',') || "''";
		const files = query<{ count: number }>(queue.postgres, `select count(*)::int as count from binary_data where "sourceId" in (${ids})`)[0]?.count ?? 0;
		const parts = EXPORTS.length * Math.ceil(CONTACTS / PART_SIZE);
		check('member files stored in the database', files >= parts, `${files} binary_data rows for these executions (${parts} member file parts expected); N8N_DEFAULT_BINARY_DATA_MODE unset`);

		// Which worker ran what: each worker logs "Worker started execution <id> (job <id>)" (n8n's job processor).
		const byWorker = queue.workers.map((worker) => {
			const ids = jsonLines(worker.log)
				.map((record) => /^Worker started execution (\d+)/.exec(record.message ?? '')?.[1])
				.filter((id): id is string => id !== undefined);
			return { worker, ids: ids.filter((id) => records.some((record) => record.id === id)) };
		});
		const mainRan = queue.main.log.filter((line) => /Worker started execution/.test(line)).length;
		check(
			'both workers ran exports',
			byWorker.every(({ ids }) => ids.length > 0) && byWorker.reduce((sum, { ids }) => sum + ids.length, 0) === EXPORTS.length && mainRan === 0,
			byWorker.map(({ worker, ids }) => `${worker.name}: executions ${ids.join(', ') || 'none'}`).join('; '),
		);

		// Every contact at its destination exactly once (contacts are keyed by e-mail there: once each, and no strays).
		const contacts = async (service: string) => (await (await fetch(`${queue.sandbox.url}/_sandbox/${service}/contacts`)).json()) as Array<{ email: string }>;
		for (const service of ['activeCampaign', 'constantContact', 'omnisend'] as const) {
			const stored = (await contacts(service)).map((contact) => contact.email.toLowerCase());
			const expected = EXPORTS.filter((exportCase) => exportCase.service === service).flatMap((exportCase) => Array.from({ length: CONTACTS }, (_, index) => emailOf(exportCase, index)));
			const storedSet = new Set(stored);
			const missing = expected.filter((email) => !storedSet.has(email)).length;
			const strays = stored.filter((email) => email.startsWith('queue.') && !expected.includes(email)).length;
			check(`${service} holds every contact once`, missing === 0 && strays === 0 && storedSet.size === stored.length, `${stored.length} stored, ${expected.length} sent, ${missing} missing, ${strays} strays`);
		}

		// Every 429 honoured: after a 429 with Retry-After, the worker that got it sent nothing more to that service before it ran out.
		const sandboxLog = (await (await fetch(`${queue.sandbox.url}/_sandbox/requests`)).json()) as RequestLogEntry[];
		const throttled = sandboxLog.filter((entry) => entry.status === 429);
		let unmatched = 0;
		const early: string[] = [];
		for (const { worker } of byWorker) {
			const sent = jsonLines(worker.log)
				.filter((record) => record.message === REQUEST_LOG_MESSAGE)
				.map((record) => record.metadata as { service?: string; status: number | string; sentAt: number; answeredAt: number })
				.sort((a, b) => a.sentAt - b.sentAt);
			for (const request of sent.filter((entry) => entry.status === 429)) {
				// The sandbox's record of the same answer: same service, ended closest to when the worker had it
				// (a busy worker may read an answer some 100 ms after it left the sandbox: up to a second counts).
				const candidates = throttled.filter((entry) => entry.service === request.service && Math.abs(entry.endedAt - request.answeredAt) <= 1000);
				const match = candidates.sort((a, b) => Math.abs(a.endedAt - request.answeredAt) - Math.abs(b.endedAt - request.answeredAt))[0];
				if (!match) {
					unmatched++;
					continue;
				}
				const next = sent.find((entry) => entry.service === request.service && entry.sentAt > request.answeredAt);
				const gap = next ? next.sentAt - request.answeredAt : Infinity;
				if (gap < (match.retryAfterMs ?? 0) - 2) early.push(`${worker.name} ${request.service}: next after ${gap} ms, Retry-After ${match.retryAfterMs} ms`);
			}
		}
		const byService = (service: string) => throttled.filter((entry) => entry.service === service).length;
		progress(`Logs kept in ${keepLogs(queue, sandboxLog)}`);
		check('every 429 honoured', early.length === 0 && unmatched === 0, `${throttled.length} × 429 (${unmatched} not matched to a worker's record, ${early.length} followed by a request before Retry-After ran out${early.length ? `: ${early.slice(0, 5).join('; ')}` : ''})`);

		// The Constant Contact credential after a run with refreshes: no rotated refresh token presented twice, and it still works.
		const ccState = ((await (await fetch(`${queue.sandbox.url}/_sandbox/state`)).json()) as Record<string, Record<string, number>>).constantContact;
		const ccCase = EXPORTS.find((exportCase) => exportCase.service === 'constantContact')!;
		const ccIds = records.filter((record) => EXPORTS.some((exportCase) => exportCase.service === 'constantContact' && workflowId(exportCase) === record.workflowId)).map((record) => record.id);
		const ccWorkers = byWorker
			.filter(({ ids: ran }) => ran.some((id) => ccIds.includes(id)))
			.map(({ worker }) => worker.name)
			.join(' and ');
		await new Promise((resolve) => setTimeout(resolve, CC_TOKEN_SECONDS * 1000 + 500));
		const again = await post(queue.main.url, ccCase, [{ email: emailOf(ccCase, 0), firstName: 'Again' }]);
		const againSummary = (() => {
			try {
				return JSON.parse(again.text) as Record<string, unknown>;
			} catch {
				return {};
			}
		})();
		check(
			'Constant Contact credential still valid',
			ccState.refreshes > 0 && ccState.refreshTokenReuse === 0 && again.status === 200 && againSummary.exported === 1,
			`${ccState.refreshes} refreshes during the run (Constant Contact exports on ${ccWorkers}), ${ccState.refreshTokenReuse} reuses of a rotated refresh token; an export after the token expired again: HTTP ${again.status}, ${String(againSummary.message ?? again.text.slice(0, 200))}`,
		);

		// Sync Mode Mirror through the queue: three runs of one workflow, each picked up by whichever
		// worker is free; the state is read and written in n8n's Postgres each time.
		const syncProfiles = (changed: number[], left: number[]) =>
			Array.from({ length: SYNC_CONTACTS }, (_, index) => index)
				.filter((index) => !left.includes(index))
				.map((index) => ({ email: `qsync.${index}@example.com`, firstName: changed.includes(index) ? `Changed${index}` : `Sync${index}`, lastName: 'Queue' }));
		const syncRuns: Array<{ summary: Record<string, unknown>; imports: number; removals: number }> = [];
		for (const [changed, left] of [[[], []], [[], []], [[3, 4], [9]]] as Array<[number[], number[]]>) {
			const before = ((await (await fetch(`${queue.sandbox.url}/_sandbox/requests`)).json()) as unknown[]).length;
			const answer = await post(queue.main.url, SYNC_CASE, syncProfiles(changed, left));
			const requests = ((await (await fetch(`${queue.sandbox.url}/_sandbox/requests`)).json()) as Array<{ service: string; method: string; path: string }>).slice(before);
			let summary: Record<string, unknown> = {};
			try {
				summary = JSON.parse(answer.text) as Record<string, unknown>;
			} catch {
				summary = { message: answer.text.slice(0, 300) };
			}
			const omnisend = requests.filter((request) => request.service === 'omnisend');
			syncRuns.push({ summary, imports: omnisend.filter((request) => request.method === 'POST' && request.path.includes('/batches')).length, removals: omnisend.filter((request) => request.method === 'DELETE').length });
		}
		const syncIds = executionRecords(queue).filter((record) => record.workflowId === workflowId(SYNC_CASE)).map((record) => record.id);
		const syncWorkers = syncIds.map((id) => queue.workers.find((worker) => jsonLines(worker.log).some((record) => record.message?.startsWith(`Worker started execution ${id} `)))?.name ?? '?');
		const [syncFirst, syncAgain, syncChanged] = syncRuns;
		check(
			'Sync Mode state in queue mode',
			syncFirst.summary.exported === SYNC_CONTACTS &&
				syncAgain.imports === 0 &&
				syncAgain.summary.unchanged === SYNC_CONTACTS &&
				syncChanged.summary.exported === 2 &&
				syncChanged.summary.removed === 1 &&
				syncChanged.removals === 1,
			`run 1 exported ${String(syncFirst.summary.exported)}; run 2: ${syncAgain.imports} imports, ${String(syncAgain.summary.unchanged)} unchanged; run 3 (2 changed, 1 left): exported ${String(syncChanged.summary.exported)}, removed ${String(syncChanged.summary.removed)} with ${syncChanged.removals} removal request(s); executions ${syncIds.join(', ')} ran on ${syncWorkers.join(', ')}`,
		);

		// Peak resident memory of each n8n process so far (the kernel's high-water mark), read before they stop.
		const peakRss = [queue.main, ...queue.workers].map((child) => {
			const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.process.pid}/status`, 'utf8'))?.[1]);
			return `${child.name} ${Math.round(kib / 1024)} MB`;
		});
		console.log('');
		console.log(`Peak RSS: ${peakRss.join(', ')}`);
		console.log(`429s: ${throttled.length} of ${sandboxLog.length} requests (ActiveCampaign ${byService('activeCampaign')}, Constant Contact ${byService('constantContact')}, Omnisend ${byService('omnisend')})`);
	} finally {
		await queue.stop('Done');
	}
	const failed = results.filter((result) => !result.ok).length;
	console.log(`test:queue: ${results.length - failed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch((error: Error) => {
	console.error(error.message);
	console.log('test:queue: 0 passed, 1 failed');
	process.exit(1);
});
