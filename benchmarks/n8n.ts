import { type ChildProcess, spawnSync } from 'child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { randomUUID } from 'crypto';
import { createRequire } from 'module';
import { cpus, totalmem } from 'os';
import { join } from 'path';

import type { SandboxState } from '../test/destinations';
import { destinationBySlug } from '../test/destinations';
import type { DestinationName } from './floors';
import { argValue, CONTACTS_PER_REQUEST, DEFAULT_SCALE, destinationsArg, floorSeconds } from './floors';
import { freePort, N8N_DIR, n8nCommand, prepareN8n, progress, ROOT, startN8n, startSandboxProcess, stopChild } from '../scripts/e2e/n8nRuntime';
import { runQueueBench } from './n8nQueue';
import { procStatusMb, round, sleep, webhookRegistered } from './n8nProcess';

/**
 * `npm run bench:n8n [-- --destination NAME[,NAME]|all] [--input sample|csv|both] [--n 1000000] [--scale S]`:
 * the export in the n8n users run. The real n8n 2.41.1 of the e2e cache with this package installed as
 * the README says, `n8n start` with its defaults (SQLite, executions saved as n8n saves them), a
 * published workflow Webhook (responds at once) → [Read/Write Files from Disk] → Segment Source
 * (Member File output) → the exporter, against the sandbox in its own process at the bench's scale.
 * n8n is started afresh for each measurement, so the kernel's peak RSS (VmHWM) is this export's.
 * Records per run the n8n process's peak RSS, the execution's size in the database, n8n's own node run
 * times against the floor, and the contacts exported and stored; merges into benchmarks/results/n8n.json.
 * `--queue`: the same workflow (sample input) in n8n's queue mode, main + 2 workers: see n8nQueue.ts.
 * `--sync`: the sample with Sync Mode Changed Only, twice in the same n8n database (n8n restarted in
 * between): the first run records a million contacts in n8n's deduplication table, the re-run of the
 * same profiles reads that state, finds every contact unchanged and sends nothing. Records the
 * state's size in the database besides the figures above.
 */

/** `none`: the control, Webhook → No Operation, for n8n's own peak when it runs a webhook execution. */
/**
 * What the workflow starts from: the sample, the CSV file, or a control that stops early — `none`
 * (Webhook → No Operation: n8n itself), `read` (the CSV read from disk, then No Operation) and
 * `source` (the CSV through Segment Source, then No Operation): they say where a CSV run's memory goes.
 */
type Input = 'sample' | 'csv' | 'none' | 'read' | 'source';
const CONTROLS: Input[] = ['none', 'read', 'source'];
const readsCsv = (input: Input) => input === 'csv' || input === 'read' || input === 'source';

export interface N8nRun {
	destination: DestinationName;
	input: Input;
	n: number;
	scale: number;
	status: string;
	/** VmHWM of the `n8n start` process (it runs the workflows: task runners are off and it has no children). */
	peakRssMb: number;
	/** VmRSS and VmHWM of the same process once n8n answered, before the POST: start-up has a peak of its own. */
	idleRssMb: number;
	peakBeforeExportMb: number;
	/** Bytes of the execution_data row (run data and the workflow) in n8n's SQLite file, in MB. */
	executionMb: number;
	/** Segment Source's and the exporter's executionTime in n8n's run data. */
	wallSeconds: number;
	readFileSeconds?: number;
	segmentSourceSeconds: number;
	exportSeconds: number;
	floorSeconds: number;
	ratio: number;
	memberFileParts: number;
	requests: number;
	exported: number;
	rejected: number;
	storedInSandbox: number;
	/** The execution's startedAt to stoppedAt in n8n's database, and from the webhook's answer to stoppedAt. */
	executionSeconds: number;
	secondsAfterPost: number;
	measuredAt: string;
	/** `--sync`: which of the two Changed Only runs, the contacts it found unchanged and the state's bytes in n8n's processed_data table. */
	sync?: 'first' | 'rerun';
	unchanged?: number;
	syncStateMb?: number;
	/** NODE_OPTIONS n8n ran with (from this process's environment), when set. */
	nodeOptions?: string;
}

const INPUTS: Input[] = ['sample', 'csv'];
/** The n8n and sandbox processes of the measurement under way, stopped with the bench if it is interrupted. */
const running = new Set<ChildProcess>();
const RESULTS_FILE = join(ROOT, 'benchmarks', 'results', 'n8n.json');

function args(): { destinations: DestinationName[]; inputs: Input[]; n: number; scale?: number; keep: boolean; sync: boolean } {
	const argv = process.argv.slice(2);
	const value = argValue;
	const destinations = destinationsArg();
	const input = value('input') ?? 'both';
	if (!['sample', 'csv', 'both', ...CONTROLS].includes(input)) throw new Error(`--input is sample, csv, both, none, read or source, not ${input}`);
	return {
		destinations,
		inputs: input === 'both' ? INPUTS : [input as Input],
		n: Number(value('n') ?? 1_000_000),
		scale: value('scale') ? Number(value('scale')) : undefined,
		keep: argv.includes('--keep'),
		sync: argv.includes('--sync'),
	};
}

const mb = (bytes: number) => bytes / 1_048_576;

/** A field of /proc/<pid>/status in MB (VmHWM: peak resident set since the process started). */

/** Child processes of `pid` (every thread's children), to show the workflow runs in `pid` itself. */
function childPids(pid: number): number[] {
	const tasks = spawnSync('sh', ['-c', `cat /proc/${pid}/task/*/children 2>/dev/null`], { encoding: 'utf8' }).stdout;
	return tasks.split(/\s+/).filter(Boolean).map(Number);
}

/** A query against n8n's SQLite file, read-only, as JSON rows (the sqlite3 command-line shell). */
function query<T>(database: string, sql: string): T[] {
	const result = spawnSync('sqlite3', ['-readonly', '-json', database, sql], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	if (result.status !== 0) throw new Error(`sqlite3 failed: ${result.stderr}`);
	return result.stdout.trim() ? (JSON.parse(result.stdout) as T[]) : [];
}

/** N unique valid profiles as CSV, written once to the folder n8n's file nodes may read. */
async function csvFile(folder: string, n: number): Promise<string> {
	const file = join(folder, `profiles-${n}.csv`);
	if (existsSync(file)) return file;
	progress(`Writing ${n.toLocaleString('en-US')} profiles to ${file}`);
	const out = createWriteStream(`${file}.partial`);
	const write = async (text: string) => {
		if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
	};
	await write('email,first_name,last_name,city,country,plan,lifetime_value\n');
	let chunk = '';
	for (let index = 0; index < n; index++) {
		chunk += `member${index}@example${index % 97}.com,First${index % 1000},"Last, ${index % 777}",City ${index % 300},DE,${index % 3 ? 'pro' : 'free'},${index % 1000}\n`;
		if (chunk.length > 1 << 20) {
			await write(chunk);
			chunk = '';
		}
	}
	await write(chunk);
	await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
	spawnSync('mv', [`${file}.partial`, file]);
	return file;
}

const NAMES = { webhook: 'Webhook', read: 'Read CSV from Disk', source: 'Segment Source', exporter: 'Export' };

/** Webhook (responds at once) → [Read/Write Files from Disk] → Segment Source (Member File) → the exporter. */
function benchWorkflow(id: string, destination: DestinationName, input: Input, n: number, csv: string | undefined, credentialId: string, syncMode?: string) {
	const exporter = destinationBySlug(destination);
	// The exporter as the destination's scheduled example has it: version 2 with its parameters (the sandbox's targets).
	const example = JSON.parse(readFileSync(join(ROOT, 'examples', `scheduled-${destination}.json`), 'utf8')) as { nodes: Array<{ type: string; typeVersion: number; parameters: Record<string, unknown> }> };
	const exampleExporter = example.nodes.find((node) => node.type === `n8n-nodes-segment-export.${exporter.nodeType}`)!;
	const path = `bench-${destination}-${input}`;
	const source =
		input === 'sample'
			? { source: 'sample', sampleSize: n, sampleProblemRows: false }
			: { source: 'file', binaryProperty: 'data', fileFormat: 'csv', csvHeader: 'yes' };
	const nodes: Array<Record<string, unknown> & { name: string }> = [
		{ id: `${id}-1`, name: NAMES.webhook, type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} } },
		...(readsCsv(input) ? [{ id: `${id}-2`, name: NAMES.read, type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, position: [220, 0], parameters: { operation: 'read', fileSelector: csv, options: {} } }] : []),
		{ id: `${id}-3`, name: NAMES.source, type: 'n8n-nodes-segment-export.segmentSource', typeVersion: 2, position: [440, 0], parameters: { ...source, options: { outputMode: 'memberFile' } } },
		{
			id: `${id}-4`,
			name: NAMES.exporter,
			type: `n8n-nodes-segment-export.${exporter.nodeType}`,
			typeVersion: exampleExporter.typeVersion,
			position: [660, 0],
			parameters: syncMode ? { ...exampleExporter.parameters, syncMode } : exampleExporter.parameters,
			credentials: { [exporter.credentialType]: { id: credentialId, name: `${exporter.serviceName} (bench sandbox)` } },
		},
	];
	// A control ends in No Operation after the webhook, the file read or Segment Source.
	const kept = { none: 1, read: 2, source: 3 } as Partial<Record<Input, number>>;
	const keep = kept[input];
	if (keep !== undefined) nodes.splice(keep, nodes.length - keep, { id: `${id}-5`, name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [880, 0], parameters: {} });
	const connections: Record<string, unknown> = {};
	for (let index = 1; index < nodes.length; index++) connections[nodes[index - 1].name] = { main: [[{ node: nodes[index].name, type: 'main', index: 0 }]] };
	return { workflow: { id, name: `Bench: ${exporter.serviceName} from ${input} (${n})`, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} }, path };
}

type TaskData = { executionTime?: number; error?: { message?: string }; data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } };

/** Run data of a saved execution: n8n stores it with `flatted` (its own copy parses it). */
function savedRun(database: string, executionId: string, scratch: string): { bytes: number; runData: Record<string, TaskData[]>; error?: string } {
	const [row] = query<{ bytes: number }>(database, `SELECT length(CAST(data AS BLOB)) + length(CAST(workflowData AS BLOB)) AS bytes FROM execution_data WHERE executionId = ${Number(executionId)}`);
	const file = join(scratch, `execution-${executionId}.json`);
	const written = spawnSync('sqlite3', ['-readonly', database, `SELECT writefile('${file}', data) FROM execution_data WHERE executionId = ${Number(executionId)}`], { encoding: 'utf8' });
	if (written.status !== 0) throw new Error(`sqlite3 failed: ${written.stderr}`);
	const flatted = createRequire(join(N8N_DIR, 'node_modules', 'n8n', 'package.json'))('flatted') as { parse(text: string): unknown };
	const data = flatted.parse(readFileSync(file, 'utf8')) as { resultData: { runData: Record<string, TaskData[]>; error?: { message?: string } } };
	rmSync(file, { force: true });
	return { bytes: row?.bytes ?? 0, runData: data.resultData.runData, error: data.resultData.error?.message };
}


/** One measurement: a sandbox and a freshly started n8n of their own. */
async function measure(
	userFolder: string,
	destination: DestinationName,
	input: Input,
	n: number,
	scale: number,
	csv: string | undefined,
	sync?: { step: NonNullable<N8nRun['sync']>; sandboxPort: number },
): Promise<N8nRun> {
	const exporter = destinationBySlug(destination);
	const label = `${input === 'none' ? `${destination} / none (control)` : `${destination} / ${input}${CONTROLS.includes(input) ? ' (control)' : ''} / ${n.toLocaleString('en-US')}`}${sync ? ` / Changed Only, ${sync.step === 'first' ? 'first run' : 're-run'}` : ''}`;
	const database = join(userFolder, '.n8n', 'database.sqlite');
	progress(`${label}: starting the sandbox (limits × ${scale})`);
	// Both Changed Only runs reach the sandbox at one address: the sync state belongs to an account, and the address is part of it.
	const sandbox = await startSandboxProcess(scale, sync?.sandboxPort ?? 0, (child) => running.add(child));
	let n8n: Awaited<ReturnType<typeof startN8n>> | undefined;
	let log: string[] | undefined;
	try {
		// The sandbox's address changes with each start: the credential is imported again, with the scale as its rate limit factor.
		const credentialId = `bench${exporter.key[0].toUpperCase()}${exporter.key.slice(1)}`;
		const credentialsFile = join(userFolder, 'bench-credentials.json');
		writeFileSync(credentialsFile, JSON.stringify([{ id: credentialId, name: `${exporter.serviceName} (bench sandbox)`, type: exporter.credentialType, data: { ...sandbox.endpoints[exporter.key], rateLimitFactor: scale } }]));
		const id = `SegBench${exporter.key.slice(0, 2).toUpperCase()}${sync ? 'Syn' : ({ csv: 'Csv', sample: 'Smp', none: 'Non', read: 'Red', source: 'Src' } satisfies Record<Input, string>)[input]}001`;
		const { workflow, path } = benchWorkflow(id, destination, input, n, csv, credentialId, sync ? 'changedOnly' : undefined);
		const workflowFile = join(userFolder, `bench-${id}.json`);
		writeFileSync(workflowFile, JSON.stringify(workflow, null, 2));
		progress(`${label}: importing the credential and workflow ${id}, publishing it`);
		for (const command of [['import:credentials', `--input=${credentialsFile}`], ['import:workflow', `--input=${workflowFile}`], ['publish:workflow', `--id=${id}`]]) {
			const result = n8nCommand(userFolder, command);
			if (result.status !== 0) throw new Error(`n8n ${command[0]} failed:\n${(result.stderr || result.stdout).slice(-1500)}`);
		}
		const lastBefore = query<{ id: number }>(database, 'SELECT max(id) AS id FROM execution_entity')[0]?.id ?? 0;

		progress(`${label}: starting n8n`);
		n8n = await startN8n(userFolder, await freePort(), (child) => running.add(child));
		log = n8n.log;
		const pid = n8n.process.pid!;
		await webhookRegistered(n8n.url, path);
		// The idle figures: n8n started and settled, before the POST that starts the export.
		await sleep(5000);
		const idleRssMb = procStatusMb(pid, 'VmRSS');
		const peakBeforeExportMb = procStatusMb(pid, 'VmHWM');
		const { status } = await fetch(`${n8n.url}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		if (status !== 200) throw new Error(`POST /webhook/${path} answered ${status}`);
		const posted = Date.now();
		progress(`${label}: n8n (pid ${pid}, idle RSS ${idleRssMb} MB, start-up peak ${peakBeforeExportMb} MB) answered the webhook at once; following the execution in its database`);

		let execution: { id: string; status: string; startedAt: string | null; stoppedAt: string | null } | undefined;
		let lastReport = Date.now();
		for (;;) {
			[execution] = query<NonNullable<typeof execution>>(database, `SELECT id, status, startedAt, stoppedAt FROM execution_entity WHERE workflowId = '${id}' AND id > ${lastBefore} ORDER BY id DESC LIMIT 1`);
			if (execution && !['new', 'running', 'waiting'].includes(execution.status)) break;
			if (!execution && Date.now() - posted > 60_000) throw new Error(`n8n answered the webhook but no execution was in its database a minute later:\n${n8n.log.slice(-20).join('\n')}`);
			if (n8n.process.exitCode !== null || n8n.process.signalCode !== null) throw new Error(`n8n ended during the run (${n8n.process.exitCode ?? n8n.process.signalCode}):\n${n8n.log.slice(-20).join('\n')}`);
			if (Date.now() - lastReport >= 30_000) {
				lastReport = Date.now();
				const stored = exporter.storedInState((await (await fetch(`${sandbox.url}/_sandbox/state`)).json()) as SandboxState);
				progress(`${label}: ${execution?.status ?? 'not started'} for ${Math.round((Date.now() - posted) / 1000)} s; n8n RSS ${procStatusMb(pid, 'VmRSS')} MB (peak ${procStatusMb(pid, 'VmHWM')} MB); the sandbox holds ${stored.toLocaleString('en-US')}`);
			}
			await sleep(1000);
		}
		const peakRssMb = procStatusMb(pid, 'VmHWM');
		const children = childPids(pid);
		const commands = children.map((child) => {
			try {
				return `${child} (${readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(0, 3).join(' ')}, peak ${procStatusMb(child, 'VmHWM')} MB)`;
			} catch {
				return String(child);
			}
		});
		if (children.length) progress(`${label}: n8n (pid ${pid}) has child processes ${commands.join('; ')}; the peak recorded is of pid ${pid}, which runs the workflow`);
		const state = (await (await fetch(`${sandbox.url}/_sandbox/state`)).json()) as SandboxState;
		progress(`${label}: n8n ${await stopChild(n8n.process)}`);
		n8n = undefined;

		const saved = savedRun(database, execution!.id, userFolder);
		const seconds = (node: string) => (saved.runData[node]?.[0]?.executionTime ?? 0) / 1000;
		const summary = saved.runData[NAMES.exporter]?.[0]?.data?.main?.[0]?.[0]?.json ?? {};
		const parts = (saved.runData[NAMES.source]?.[0]?.data?.main?.[0] ?? []).filter((item) => item.json.segmentSourceMemberFile === true).length;
		const failure = saved.error ?? Object.values(saved.runData).flat().find((task) => task.error)?.error?.message;
		if (execution!.status !== 'success') progress(`${label}: the execution ended ${execution!.status}${failure ? `: ${failure}` : ''}`);

		const requests = Number(summary.batches ?? 0);
		const exported = Number(summary.exported ?? 0);
		const perRequest = CONTACTS_PER_REQUEST(destination) ?? Math.ceil(exported / Math.max(1, requests));
		const lastBatch = exported - (requests - 1) * perRequest > 0 ? exported - (requests - 1) * perRequest : perRequest;
		const floor = requests ? floorSeconds(destination, requests, lastBatch, scale) : NaN;
		const wall = seconds(NAMES.source) + seconds(NAMES.exporter);
		// SQLite keeps n8n's timestamps as 'YYYY-MM-DD HH:MM:SS.SSS' in UTC.
		const time = (stamp: string | null) => (stamp ? Date.parse(`${stamp.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(stamp) ? '' : 'Z'}`) : NaN);
		const run: N8nRun = {
			destination,
			input,
			n: input === 'none' ? 0 : n,
			scale,
			status: execution!.status,
			peakRssMb,
			idleRssMb,
			peakBeforeExportMb,
			executionMb: round(mb(saved.bytes), 3),
			wallSeconds: round(wall),
			...(readsCsv(input) ? { readFileSeconds: round(seconds(NAMES.read)) } : {}),
			segmentSourceSeconds: round(seconds(NAMES.source)),
			exportSeconds: round(seconds(NAMES.exporter)),
			floorSeconds: round(floor),
			ratio: round(wall / floor, 3),
			memberFileParts: parts,
			requests,
			exported,
			rejected: Number(summary.rejected ?? 0),
			storedInSandbox: exporter.storedInState(state),
			executionSeconds: round((time(execution!.stoppedAt) - time(execution!.startedAt)) / 1000),
			secondsAfterPost: round((time(execution!.stoppedAt) - posted) / 1000),
			measuredAt: new Date().toISOString(),
			...(sync ? { sync: sync.step, unchanged: Number(summary.unchanged ?? 0), syncStateMb: round(mb(query<{ bytes: number | null }>(database, `SELECT sum(length(CAST(value AS BLOB))) AS bytes FROM processed_data WHERE workflowId = '${id}'`)[0]?.bytes ?? 0), 1) } : {}),
			...(process.env.NODE_OPTIONS ? { nodeOptions: process.env.NODE_OPTIONS } : {}),
		};
		progress(
			`${label}: ${run.status}; peak RSS ${run.peakRssMb} MB (idle ${run.idleRssMb} MB, start-up peak ${run.peakBeforeExportMb} MB); saved execution ${run.executionMb} MB; ` +
				`${run.wallSeconds} s (Segment Source ${run.segmentSourceSeconds} s + export ${run.exportSeconds} s) vs floor ${run.floorSeconds} s = ${run.ratio}; ` +
				`exported ${run.exported.toLocaleString('en-US')}, the sandbox holds ${run.storedInSandbox.toLocaleString('en-US')}` +
				(sync ? `; unchanged ${run.unchanged?.toLocaleString('en-US')}, sync state ${run.syncStateMb} MB in n8n's database` : ''),
		);
		return run;
	} finally {
		if (n8n) progress(`${label}: n8n ${await stopChild(n8n.process)}`);
		if (log) writeFileSync(join(userFolder, `n8n-${destination}-${input}.log`), `${log.join('\n')}\n`);
		progress(`${label}: the sandbox ${await stopChild(sandbox.process)}`);
	}
}

function readResults(): { runs: N8nRun[] } {
	try {
		return JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { runs: N8nRun[] };
	} catch {
		return { runs: [] };
	}
}

function report(runs: N8nRun[]): void {
	console.log('');
	console.log('destination        input   n          scale  status   peak RSS MB  idle MB  start-up peak MB  execution MB  wall s   floor s  wall/floor  parts  exported   stored');
	for (const r of runs) {
		console.log(
			`${r.destination.padEnd(18)} ${r.input.padEnd(7)} ${String(r.n).padEnd(10)} ${String(r.scale).padEnd(6)} ${r.status.padEnd(8)} ${String(r.peakRssMb).padStart(11)} ${String(r.idleRssMb).padStart(8)} ${String(r.peakBeforeExportMb).padStart(17)} ${r.executionMb.toFixed(3).padStart(13)} ${r.wallSeconds.toFixed(1).padStart(7)} ${r.floorSeconds.toFixed(1).padStart(8)}  ${r.ratio.toFixed(3).padStart(10)} ${String(r.memberFileParts).padStart(6)} ${String(r.exported).padStart(9)} ${String(r.storedInSandbox).padStart(8)}`,
		);
	}
	console.log('');
	console.log('Targets (issue 13): peak RSS ≤ 1,200 MB, saved execution ≤ 5 MB, wall/floor ≤ 1.15');
	// The control exports nothing: only the exports are held to the targets.
	for (const r of runs.filter((run) => !CONTROLS.includes(run.input))) {
		const checks = [
			[`peak RSS ${r.peakRssMb} MB ≤ 1200 MB`, r.peakRssMb <= 1200],
			[`execution ${r.executionMb} MB ≤ 5 MB`, r.executionMb <= 5],
			// A Changed Only re-run that finds everything unchanged sends nothing: no floor to hold it to.
			...(r.requests ? [[`wall/floor ${r.ratio} ≤ 1.15`, r.ratio <= 1.15] as const] : []),
			[`stored ${r.storedInSandbox} = exported ${r.exported}`, r.storedInSandbox === r.exported],
			...(r.sync ? [[`sync state ${r.syncStateMb} MB, ${r.unchanged} unchanged, ${r.wallSeconds} s`, r.sync === 'first' || r.unchanged === r.n] as const] : []),
		] as const;
		console.log(`  ${`${r.destination} / ${r.input}${r.sync ? ` / ${r.sync}` : ''}`.padEnd(26)} ${checks.map(([text, ok]) => `${ok ? 'holds' : 'MISSED'}: ${text}`).join('; ')}${r.n === 1_000_000 ? '' : ` (at n = ${r.n})`}`);
	}
}

async function main(): Promise<void> {
	if (process.argv.includes('--queue')) {
		// The queue stack stops what it started on a signal itself.
		const { destinations, n, scale } = args();
		await runQueueBench({ benchWorkflow, names: NAMES, defaultScale: DEFAULT_SCALE }, destinations, n, scale);
		return;
	}
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			progress(`${signal}: stopping n8n and the sandbox`);
			void Promise.all([...running].map(async (child) => await stopChild(child, 5000))).finally(() => process.exit(1));
		});
	}
	const { destinations, inputs, n, scale, keep, sync } = args();
	progress(`bench:n8n: ${destinations.join(', ')} × ${inputs.join(', ')}, N = ${n.toLocaleString('en-US')}; n8n restarted for each measurement`);
	const { userFolder } = prepareN8n();
	// n8n 2.x reads files only under N8N_RESTRICT_FILE_ACCESS_TO (default ~/.n8n-files of the real home):
	// the CSV goes to a folder in n8n's user folder, allowed through the .env file n8n's start script
	// loads from its working directory (the user folder), so the runtime helpers stay as they are.
	const files = join(userFolder, '.n8n-files');
	mkdirSync(files, { recursive: true });
	writeFileSync(join(userFolder, '.env'), `N8N_RESTRICT_FILE_ACCESS_TO=${files}\n`);
	const csv = inputs.some(readsCsv) ? await csvFile(files, n) : undefined;
	if (csv) progress(`CSV input: ${csv} (${round(mb(statSync(csv).size))} MB)`);

	const runs: N8nRun[] = [];
	const failures: string[] = [];
	try {
		// With --sync each destination's sample runs twice, the re-run reading what the first one recorded.
		type Measurement = { destination: DestinationName; input: Input; step?: NonNullable<N8nRun['sync']> };
		const measurements = destinations.flatMap((destination): Measurement[] =>
			sync ? (['first', 'rerun'] as const).map((step) => ({ destination, input: 'sample', step })) : inputs.map((input) => ({ destination, input })),
		);
		let sandboxPort = 0;
		for (const { destination, input, step } of measurements) {
			if (step === 'first') sandboxPort = await freePort();
			// A re-run means something only after its first run recorded the state.
			if (step === 'rerun' && !runs.some((run) => run.destination === destination && run.sync === 'first' && run.status === 'success')) continue;
			try {
				runs.push(await measure(userFolder, destination, input, n, scale ?? DEFAULT_SCALE(destination), csv, step && { step, sandboxPort }));
			} catch (error) {
				// The next measurement starts n8n and a sandbox afresh: one failure does not end the bench.
				failures.push(`${destination} / ${input}${step ? ` / ${step}` : ''}: ${(error as Error).message.split('\n')[0]}`);
				progress(`${destination} / ${input}: FAILED: ${(error as Error).message}`);
				continue;
			}
			const merged = [...readResults().runs.filter((r) => !runs.some((run) => run.destination === r.destination && run.input === r.input && run.sync === r.sync)), ...runs];
			const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version} (n8n on its bundled Node)`;
			writeFileSync(RESULTS_FILE, `${JSON.stringify({ machine, n8n: N8N_DIR.split('/').pop(), command: `npm run bench:n8n -- ${process.argv.slice(2).join(' ')}`.trim(), runs: merged }, null, 2)}\n`);
		}
	} finally {
		if (keep || failures.length) progress(`n8n's folder is kept (n8n's log of each measurement is in it): ${userFolder}`);
		else rmSync(userFolder, { recursive: true, force: true });
	}
	report(runs);
	console.log(`\nResults merged into ${RESULTS_FILE.slice(ROOT.length + 1)}`);
	if (failures.length) {
		console.log(`\nFailed measurements (not recorded):\n  ${failures.join('\n  ')}`);
		process.exitCode = 1;
	}
}

main().catch((error: Error) => {
	console.error(error.stack ?? error.message);
	process.exit(1);
});
