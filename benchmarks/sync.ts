import { fork } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';
import type { INodeExecutionData } from 'n8n-workflow';
import { cpus, totalmem } from 'os';
import { join } from 'path';

import type { DestinationName } from './floors';
import { argValue, CONTACTS_PER_REQUEST, DEFAULT_SCALE, destinationsArg, floorSeconds } from './floors';
import { ROOT, startSandboxProcess } from './sandboxProcess';
import { destinationBySlug, parametersV2 } from '../test/destinations';

/**
 * `npm run bench:sync [-- --destination NAME|all] [--n 1000000] [--scale S]`: Sync Modes at scale
 * (`-- --report` prints the last results again).
 * Per destination, in a process of its own: N contacts exported with a Sync Mode (Mirror where the
 * service offers it, else Changed Only), then the same segment again with 1 % changed and 0.5 % left.
 * The re-run's wall time is compared with its floor: the changed contacts' imports at the limits,
 * plus Mirror's read of the target and its removal requests at theirs; the target is wall ≤ 1.2 ×
 * floor + 60 s of diffing per 1,000,000; the diffing time shown is from the node's start to its first write. The sync state lives in the harness's model of n8n's
 * deduplication store (its row text, md5 entries), whose size and busy time are reported.
 */

interface SyncResult {
	name: DestinationName;
	syncMode: string;
	n: number;
	scale: number;
	firstRunSeconds: number;
	changed: number;
	left: number;
	wallSeconds: number;
	diffSeconds: number;
	floorSeconds: number;
	/** (wall − diffing) / floor, for reading; the target is wall ≤ 1.2 × floor + 60 s of diffing per 1,000,000. */
	ratio: number;
	/** The target's bound for the re-run's wall: 1.2 × floor + 60 s × n / 1,000,000. */
	targetSeconds: number;
	exported: number;
	unchanged: number;
	removed: number;
	requestsByPurpose: Record<string, number>;
	stateMb: number;
	stateEntries: number;
	stateBusySeconds: number;
	storedInSandbox: number;
	peakRssMb: number;
}

const CHANGED_EVERY = 100;
const LEFT_EVERY = 200;

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const stamp = (started: number) => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s]`;

function peakRssMb(): number {
	const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
	return match ? Math.round(Number(match[1]) / 1024) : 0;
}

/**
 * The segment as member file parts of 100,000 (NDJSON kept in the items, as another node could pass
 * them on): in the re-run every 100th contact has a new first name and every 200th (from the second)
 * left.
 */
function segmentParts(n: number, rerun: boolean): INodeExecutionData[] {
	const items: INodeExecutionData[] = [];
	const partSize = 100_000;
	for (let start = 0, part = 1; start < n; start += partSize, part++) {
		const lines: string[] = [];
		for (let index = start; index < Math.min(n, start + partSize); index++) {
			if (rerun && index % LEFT_EVERY === 1) continue;
			const firstName = rerun && index % CHANGED_EVERY === 0 ? `Changed${index}` : `First${index}`;
			lines.push(JSON.stringify({ email: `p${index}@bench.example.com`, firstName, lastName: 'Bench', city: 'Lisbon', segments: ['Bench'] }));
		}
		items.push({
			json: { segmentSourceMemberFile: true, part, count: lines.length },
			binary: { members: { data: Buffer.from(lines.join('\n')).toString('base64'), mimeType: 'application/x-ndjson', fileName: `members-part-${part}.ndjson` } },
		});
	}
	return items;
}

async function runOne(destination: DestinationName, n: number, scale: number): Promise<SyncResult> {
	const started = Date.now();
	const log = (text: string) => console.log(`${stamp(started)} ${destination}: ${text}`);
	const exporter = destinationBySlug(destination);
	const syncMode = exporter.mirror ? 'mirror' : 'changedOnly';
	log(`starting the sandbox (limits × ${scale})`);
	const sandbox = await startSandboxProcess(scale);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { runWorkflow, echoLogs } = require('../test/harness/run') as typeof import('../test/harness/run');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { chain } = require('../test/harness/workflows') as typeof import('../test/harness/workflows');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { deduplicator } = require('../test/harness/deduplication') as typeof import('../test/harness/deduplication');
	echoLogs((line) => {
		if (line.level !== 'debug') log(line.message);
	});
	const workflow = chain({ name: 'Export', type: exporter.nodeType, credentials: exporter.credentialRef, parameters: { ...parametersV2(exporter), syncMode, options: { maxRejectedItems: 0 } } });
	workflow.nodes[1].typeVersion = 2;
	const credentials = { [exporter.credentialType]: { ...sandbox.endpoints[exporter.key], rateLimitFactor: scale } };
	const exportOnce = async (rerun: boolean) => {
		const result = await runWorkflow(workflow, { credentials, startItems: segmentParts(n, rerun) });
		const error = result.nodeError('Export');
		if (error) throw new Error(`${destination}: ${error.message} ${error.description ?? ''}`);
		return { task: result.run.data.resultData.runData.Export[0], summary: result.output('Export', 0)[0].json as Record<string, unknown> };
	};

	log(`run 1: ${n.toLocaleString('en-US')} contacts, Sync Mode ${syncMode}`);
	const first = await exportOnce(false);
	const firstSeconds = (first.task.executionTime ?? 0) / 1000;
	const requestsBefore = ((await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as unknown[]).length;
	deduplicator.busyMs = 0;
	log(`run 2: every ${CHANGED_EVERY}th changed, every ${LEFT_EVERY}th left`);
	const second = await exportOnce(true);
	const requests = ((await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as Array<{ service: string; method: string; path: string; startedAt: number }>).slice(requestsBefore);
	const state = (await (await fetch(`${sandbox.url}/_sandbox/state`)).json()) as Record<string, Record<string, unknown>>;
	sandbox.child.kill('SIGTERM');
	echoLogs(undefined);

	const summary = second.summary;
	const byPurpose = summary.requestsByPurpose as Record<string, number>;
	const wall = (second.task.executionTime ?? 0) / 1000;
	const writes = requests.filter(
		(request) => request.service === exporter.key && request.method !== 'GET' && (request.path.includes(exporter.importPath) || (exporter.removalPath !== undefined && request.path.includes(exporter.removalPath))),
	);
	const firstWrite = writes.length ? Math.min(...writes.map((request) => request.startedAt)) : second.task.startTime + wall * 1000;
	const diff = (firstWrite - second.task.startTime) / 1000;
	const batches = Number(summary.batches);
	const exported = Number(summary.exported);
	const perRequest = CONTACTS_PER_REQUEST(destination) ?? Math.ceil(exported / Math.max(1, batches));
	const lastBatch = batches ? exported - (batches - 1) * perRequest : 0;
	const importFloor = batches ? floorSeconds(destination, batches, lastBatch > 0 ? lastBatch : perRequest, scale) : 0;
	const mirrorFloor = exporter.bench.mirrorFloorMs ? exporter.bench.mirrorFloorMs(byPurpose.read ?? 0, byPurpose.remove ?? 0) / 1000 / scale : 0;
	const floor = importFloor + mirrorFloor;
	const stateBytes = deduplicator.storedBytes();
	const stateEntries = [...deduplicator.rows.values()].reduce((sum, row) => sum + (JSON.parse(row) as { data: unknown[] }).data.length, 0);
	log(`re-run: ${wall.toFixed(1)} s (diffing ${diff.toFixed(1)} s, floor ${floor.toFixed(1)} s), exported ${exported}, removed ${String(summary.removed)}`);
	return {
		name: destination,
		syncMode,
		n,
		scale,
		firstRunSeconds: round(firstSeconds),
		changed: Math.ceil(n / CHANGED_EVERY),
		left: Math.floor((n - 2) / LEFT_EVERY) + 1,
		wallSeconds: round(wall),
		diffSeconds: round(diff),
		floorSeconds: round(floor),
		ratio: round(floor > 0 ? (wall - diff) / floor : 0, 3),
		targetSeconds: round(1.2 * floor + (60 * n) / 1_000_000),
		exported,
		unchanged: Number(summary.unchanged),
		removed: Number(summary.removed),
		requestsByPurpose: byPurpose,
		stateMb: round(stateBytes / 1_000_000),
		stateEntries,
		stateBusySeconds: round(deduplicator.busyMs / 1000),
		storedInSandbox: exporter.storedInState(state),
		peakRssMb: peakRssMb(),
	};
}

function report(results: SyncResult[]): void {
	console.log('');
	console.log('destination        mode          n          re-run s  diffing s  floor s  (wall−diff)/floor  exported  removed  reads/removals  state MB  state busy s');
	for (const r of results) {
		console.log(
			`${r.name.padEnd(18)} ${r.syncMode.padEnd(13)} ${String(r.n).padEnd(10)} ${r.wallSeconds.toFixed(1).padStart(8)} ${r.diffSeconds.toFixed(1).padStart(10)} ${r.floorSeconds.toFixed(1).padStart(8)} ${r.ratio.toFixed(3).padStart(18)} ${String(r.exported).padStart(9)} ${String(r.removed).padStart(8)} ${`${r.requestsByPurpose.read ?? 0}/${r.requestsByPurpose.remove ?? 0}`.padStart(15)} ${r.stateMb.toFixed(1).padStart(9)} ${r.stateBusySeconds.toFixed(1).padStart(13)}`,
		);
	}
	console.log('\nTargets (re-run ≤ 1.2 × floor + ≤ 60 s of diffing per 1,000,000):');
	for (const r of results) {
		// Mirror's read of the target comes before the first write too, but it is in the floor: the diffing is what remains.
		const mirrorFloorMs = destinationBySlug(r.name).bench.mirrorFloorMs;
		const readSeconds = mirrorFloorMs ? mirrorFloorMs(r.requestsByPurpose.read ?? 0, 0) / 1000 / r.scale : 0;
		const diffPerMillion = ((r.diffSeconds - readSeconds) * 1_000_000) / r.n;
		const checks = [
			[`re-run ${r.wallSeconds} s ≤ 1.2 × floor + 60 s per 1M = ${r.targetSeconds} s`, r.wallSeconds <= r.targetSeconds],
			[`diffing (start to first write${readSeconds ? `, less the read's floor ${readSeconds.toFixed(1)} s` : ''}) ${diffPerMillion.toFixed(1)} s per 1M ≤ 60 s`, diffPerMillion <= 60],
			[`exported ${r.exported} = changed ${r.changed}`, r.exported === r.changed],
			...(r.syncMode === 'mirror' ? ([[`removed ${r.removed} = left ${r.left}`, r.removed === r.left]] as const) : []),
		] as const;
		console.log(`  ${r.name.padEnd(18)} ${checks.map(([text, ok]) => `${ok ? 'holds' : 'MISSED'}: ${text}`).join('; ')}`);
	}
}

async function main(): Promise<void> {
	const destinations = destinationsArg();
	const n = Number(argValue('n') ?? 1_000_000);
	if (process.argv.includes('--report')) {
		report((JSON.parse(readFileSync(join(ROOT, 'benchmarks', 'results', 'sync.json'), 'utf8')) as { destinations: SyncResult[] }).destinations);
		return;
	}
	const scaleArg = argValue('scale');
	if (process.argv.includes('--child')) {
		const result = await runOne(destinations[0], n, scaleArg ? Number(scaleArg) : (destinationBySlug(destinations[0]).bench.syncScale ?? DEFAULT_SCALE(destinations[0])));
		process.send!(result);
		return;
	}
	const started = Date.now();
	console.log(`${stamp(started)} bench:sync: ${destinations.join(', ')}, N = ${n.toLocaleString('en-US')}, one process per destination`);
	const results: SyncResult[] = [];
	for (const destination of destinations) {
		const childArgs = ['--destination', destination, '--n', String(n), '--child', ...(scaleArg ? ['--scale', scaleArg] : [])];
		results.push(
			await new Promise<SyncResult>((resolve, reject) => {
				const worker = fork(__filename, childArgs, { stdio: 'inherit', execArgv: ['--max-old-space-size=8192'] });
				worker.once('message', (message) => resolve(message as SyncResult));
				worker.once('exit', (code) => (code ? reject(new Error(`${destination} exited with ${code}`)) : undefined));
			}),
		);
	}
	report(results);
	const file = join(ROOT, 'benchmarks', 'results', 'sync.json');
	let previous: SyncResult[] = [];
	try {
		previous = (JSON.parse(readFileSync(file, 'utf8')) as { destinations: SyncResult[] }).destinations;
	} catch {
		// first run
	}
	const merged = [...previous.filter((p) => !results.some((r) => r.name === p.name)), ...results];
	const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
	writeFileSync(file, `${JSON.stringify({ machine, command: `npm run bench:sync -- ${process.argv.slice(2).join(' ')}`.trim(), destinations: merged }, null, 2)}\n`);
	console.log(`\nResults written to ${file.slice(ROOT.length + 1)}`);
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
