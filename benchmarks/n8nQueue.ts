import { readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, totalmem } from 'os';
import { join } from 'path';

import type { SandboxState } from '../test/destinations';
import { destinationBySlug } from '../test/destinations';
import type { DestinationName } from './floors';
import { N8N_DIR, n8nCommand, progress, ROOT } from '../scripts/e2e/n8nRuntime';
import type { QueueRun } from '../scripts/e2e/queue';
import { query, startQueue } from '../scripts/e2e/queue';
import { procStatusMb, round, sleep, webhookRegistered } from './n8nProcess';

/**
 * `npm run bench:n8n -- --queue [--destination NAME[,NAME]|all] [--n 1000000] [--scale S]`: memory
 * in n8n's queue mode. For each destination, a queue stack of its own (Postgres and Redis from the
 * distribution's packages, n8n main + 2 workers, binary data left at queue mode's default,
 * `database`), a published workflow Webhook (responds at once) → Segment Source (sample, Member File
 * output in parts of 100,000) → the exporter v2, one POST to its production webhook, and when the
 * execution has ended: the peak RSS (VmHWM) of the main instance and of each worker, the saved
 * execution's size and the member file rows in Postgres. The stack is started afresh for each
 * measurement, so each VmHWM is this export's (or the process's own start-up). Merged into
 * benchmarks/results/n8n-queue.json. Memory figures only: the machine's load is recorded with them.
 */

export const QUEUE_RESULTS_FILE = join(ROOT, 'benchmarks', 'results', 'n8n-queue.json');
const WORKERS = 2;

interface ProcessMemory {
	name: string;
	/** VmRSS and VmHWM once the stack was up and settled, before the POST. */
	idleRssMb: number;
	peakBeforeExportMb: number;
	/** VmHWM when the execution had ended. */
	peakRssMb: number;
	/** Did this process run the execution (a worker's "Worker started execution" line)? */
	ranExport: boolean;
}

export interface N8nQueueRun {
	destination: DestinationName;
	input: 'sample';
	n: number;
	scale: number;
	status: string;
	binaryDataMode: 'database (queue-mode default)';
	processes: ProcessMemory[];
	/** The execution_data row (run data + workflow) in Postgres, in MB. */
	executionMb: number;
	/** binary_data rows of this execution: the member file parts n8n kept in Postgres. */
	binaryRows: number;
	binaryMb: number;
	largestBinaryMb: number;
	memberFileParts: number;
	exported: number;
	rejected: number;
	storedInSandbox: number;
	executionSeconds: number;
	/** 1-minute load average when the POST went out and when the execution ended (a shared machine). */
	loadAverage: [number, number];
	measuredAt: string;
	error?: string;
}

/** What bench:n8n passes in: its workflow builder and node names, so both modes run the same workflow. */
export interface QueueBenchContext {
	benchWorkflow(id: string, destination: DestinationName, input: 'sample', n: number, csv: undefined, credentialId: string): { workflow: Record<string, unknown>; path: string };
	names: { source: string; exporter: string };
	defaultScale(destination: DestinationName): number;
}




type TaskData = { executionTime?: number; error?: { message?: string }; data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } };

async function measure(context: QueueBenchContext, destination: DestinationName, n: number, scale: number): Promise<N8nQueueRun> {
	const exporter = destinationBySlug(destination);
	const label = `queue / ${destination} / sample / ${n.toLocaleString('en-US')}`;
	const credentialId = `bench${exporter.key[0].toUpperCase()}${exporter.key.slice(1)}`;
	const id = `SegQueue${exporter.key.slice(0, 2).toUpperCase()}Smp00001`.slice(0, 16);
	let path = '';
	let queue: QueueRun | undefined;
	const stopOnSignal = () => void queue?.stop('Signal').then(() => process.exit(1));
	process.once('SIGINT', stopOnSignal);
	process.once('SIGTERM', stopOnSignal);
	try {
		queue = await startQueue({
			workers: WORKERS,
			concurrency: 10,
			sandboxScale: scale,
			beforeStart: ({ userFolder, env, endpoints }) => {
				// The credential with the scale as its rate limit factor, and the bench's workflow, published.
				const credentialsFile = join(userFolder, 'bench-credentials.json');
				writeFileSync(credentialsFile, JSON.stringify([{ id: credentialId, name: `${exporter.serviceName} (bench sandbox)`, type: exporter.credentialType, data: { ...endpoints[exporter.key], rateLimitFactor: scale } }]));
				const built = context.benchWorkflow(id, destination, 'sample', n, undefined, credentialId);
				path = built.path;
				const workflowFile = join(userFolder, `bench-${id}.json`);
				writeFileSync(workflowFile, JSON.stringify(built.workflow, null, 2));
				for (const command of [['import:credentials', `--input=${credentialsFile}`], ['import:workflow', `--input=${workflowFile}`], ['publish:workflow', `--id=${id}`]]) {
					const result = n8nCommand(userFolder, command, env);
					if (result.status !== 0) throw new Error(`n8n ${command[0]} failed:\n${(result.stderr || result.stdout).slice(-1500)}`);
				}
			},
		});
		const all = [queue.main, ...queue.workers];
		await webhookRegistered(queue.main.url, path);
		await sleep(5000);
		const idle = all.map((child) => ({ idleRssMb: procStatusMb(child.process.pid!, 'VmRSS'), peakBeforeExportMb: procStatusMb(child.process.pid!, 'VmHWM') }));
		const loadAtPost = loadavg()[0];
		const { status } = await fetch(`${queue.main.url}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		if (status !== 200) throw new Error(`POST /webhook/${path} answered ${status}`);
		const posted = Date.now();
		progress(`${label}: the main instance answered the webhook; idle RSS ${all.map((child, index) => `${child.name} ${idle[index].idleRssMb} MB`).join(', ')}; following the execution in Postgres`);

		let execution: { id: number; status: string; startedAt: string | null; stoppedAt: string | null } | undefined;
		let lastReport = Date.now();
		for (;;) {
			[execution] = query<NonNullable<typeof execution>>(queue.postgres, `select id, status, "startedAt", "stoppedAt" from execution_entity where "workflowId" = '${id}' order by id desc limit 1`);
			if (execution && !['new', 'running', 'waiting'].includes(execution.status)) break;
			if (!execution && Date.now() - posted > 60_000) throw new Error('the webhook was answered but no execution was in Postgres a minute later');
			for (const child of all) if (child.process.exitCode !== null || child.process.signalCode !== null) throw new Error(`n8n ${child.name} ended during the run:\n${child.log.slice(-20).join('\n')}`);
			if (Date.now() - lastReport >= 30_000) {
				lastReport = Date.now();
				const stored = exporter.storedInState((await (await fetch(`${queue.sandbox.url}/_sandbox/state`)).json()) as SandboxState);
				progress(`${label}: ${execution?.status ?? 'not started'} for ${Math.round((Date.now() - posted) / 1000)} s; ${all.map((child) => `${child.name} RSS ${procStatusMb(child.process.pid!, 'VmRSS')} MB (peak ${procStatusMb(child.process.pid!, 'VmHWM')})`).join(', ')}; the sandbox holds ${stored.toLocaleString('en-US')}`);
			}
			await sleep(1000);
		}
		const peaks = all.map((child) => procStatusMb(child.process.pid!, 'VmHWM'));
		const loadAtEnd = loadavg()[0];
		const state = (await (await fetch(`${queue.sandbox.url}/_sandbox/state`)).json()) as SandboxState;
		const ran = (child: QueueRun['main']) => child.log.some((line) => new RegExp(`Worker started execution ${execution!.id}\\b`).test(line));

		const [sizes] = query<{ bytes: number }>(queue.postgres, `select (octet_length(data) + octet_length("workflowData"::text))::bigint as bytes from execution_data where "executionId" = ${execution.id}`);
		const [binary] = query<{ rows: number; bytes: number; largest: number }>(
			queue.postgres,
			`select count(*)::int as rows, coalesce(sum("fileSize"), 0)::bigint as bytes, coalesce(max("fileSize"), 0)::bigint as largest from binary_data where "sourceType" = 'execution' and "sourceId" = '${execution.id}'`,
		);
		const [dataRow] = query<{ data: string }>(queue.postgres, `select data from execution_data where "executionId" = ${execution.id}`);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const flatted = require(join(N8N_DIR, 'node_modules', 'flatted')) as { parse(text: string): unknown };
		const data = flatted.parse(dataRow.data) as { resultData: { runData: Record<string, TaskData[]>; error?: { message?: string } } };
		const runData = data.resultData.runData;
		const summary = runData[context.names.exporter]?.[0]?.data?.main?.[0]?.[0]?.json ?? {};
		const parts = (runData[context.names.source]?.[0]?.data?.main?.[0] ?? []).filter((item) => item.json.segmentSourceMemberFile === true).length;
		const failure = data.resultData.error?.message ?? Object.values(runData).flat().find((task) => task.error)?.error?.message;
		const time = (stamp: string | null) => (stamp ? Date.parse(stamp) : NaN);
		const run: N8nQueueRun = {
			destination,
			input: 'sample',
			n,
			scale,
			status: execution.status,
			binaryDataMode: 'database (queue-mode default)',
			processes: all.map((child, index) => ({ name: child.name, ...idle[index], peakRssMb: peaks[index], ranExport: ran(child) })),
			executionMb: round((sizes?.bytes ?? 0) / 1_048_576, 3),
			binaryRows: binary?.rows ?? 0,
			binaryMb: round((binary?.bytes ?? 0) / 1_048_576),
			largestBinaryMb: round((binary?.largest ?? 0) / 1_048_576),
			memberFileParts: parts,
			exported: Number(summary.exported ?? 0),
			rejected: Number(summary.rejected ?? 0),
			storedInSandbox: exporter.storedInState(state),
			executionSeconds: round((time(execution.stoppedAt) - time(execution.startedAt)) / 1000),
			loadAverage: [round(loadAtPost, 2), round(loadAtEnd, 2)],
			measuredAt: new Date().toISOString(),
			...(failure ? { error: failure } : {}),
		};
		progress(
			`${label}: ${run.status}${failure ? ` (${failure})` : ''}; peak RSS ${run.processes.map((p) => `${p.name} ${p.peakRssMb} MB${p.ranExport ? ' (ran it)' : ''}`).join(', ')}; ` +
				`saved execution ${run.executionMb} MB; member files in Postgres: ${run.binaryRows} rows, ${run.binaryMb} MB (largest ${run.largestBinaryMb} MB); ` +
				`exported ${run.exported.toLocaleString('en-US')}, the sandbox holds ${run.storedInSandbox.toLocaleString('en-US')}; load average ${run.loadAverage.join(' → ')}`,
		);
		return run;
	} finally {
		process.removeListener('SIGINT', stopOnSignal);
		process.removeListener('SIGTERM', stopOnSignal);
		await queue?.stop(`${label}: measured`);
	}
}

function readResults(): { runs: N8nQueueRun[] } {
	try {
		return JSON.parse(readFileSync(QUEUE_RESULTS_FILE, 'utf8')) as { runs: N8nQueueRun[] };
	} catch {
		return { runs: [] };
	}
}

export async function runQueueBench(context: QueueBenchContext, destinations: DestinationName[], n: number, scale: number | undefined): Promise<void> {
	progress(`bench:n8n --queue: ${destinations.join(', ')}, sample of ${n.toLocaleString('en-US')}, Member File; a queue stack (main + ${WORKERS} workers) started afresh for each`);
	const runs: N8nQueueRun[] = [];
	const failures: string[] = [];
	for (const destination of destinations) {
		try {
			runs.push(await measure(context, destination, n, scale ?? context.defaultScale(destination)));
		} catch (error) {
			failures.push(`${destination}: ${(error as Error).message.split('\n')[0]}`);
			progress(`queue / ${destination}: FAILED: ${(error as Error).message}`);
			continue;
		}
		const merged = [...readResults().runs.filter((r) => !runs.some((run) => run.destination === r.destination && run.n === r.n)), ...runs];
		const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version} (n8n on its bundled Node)`;
		writeFileSync(QUEUE_RESULTS_FILE, `${JSON.stringify({ machine, n8n: N8N_DIR.split('/').pop(), command: `npm run bench:n8n -- ${process.argv.slice(2).join(' ')}`.trim(), runs: merged }, null, 2)}\n`);
	}
	console.log('');
	console.log('destination        n          status   main peak MB  worker peaks MB (* ran it)  execution MB  member files (rows, MB, largest)  exported   stored     load avg');
	for (const r of runs) {
		const [main, ...workers] = r.processes;
		console.log(
			`${r.destination.padEnd(18)} ${String(r.n).padEnd(10)} ${r.status.padEnd(8)} ${String(main.peakRssMb).padStart(12)}  ${workers.map((w) => `${w.peakRssMb}${w.ranExport ? '*' : ''}`).join(' / ').padEnd(26)} ${r.executionMb.toFixed(3).padStart(13)}  ${`${r.binaryRows}, ${r.binaryMb}, ${r.largestBinaryMb}`.padEnd(32)} ${String(r.exported).padStart(9)} ${String(r.storedInSandbox).padStart(8)}  ${r.loadAverage.join(' → ')}`,
		);
	}
	console.log(`\nResults merged into ${QUEUE_RESULTS_FILE.slice(ROOT.length + 1)}`);
	if (failures.length) {
		console.log(`\nFailed measurements (not recorded):\n  ${failures.join('\n  ')}`);
		process.exitCode = 1;
	}
}
