import { spawn } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, totalmem } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { destinationBySlug } from '../test/destinations';
import type { RequestLogEntry } from '../test/sandbox/core';
import { ROOT, startSandboxProcess } from './sandboxProcess';

/**
 * `npm run bench:pacing -- --processes 2 [--destination active-campaign] [--n 5000] [--batch 50] [--scale 10]`:
 * account-wide pacing across processes with no shared memory. In one run, against one sandbox in
 * its own process: a single export of N contacts (the reference), then two exporter processes side
 * by side, each exporting N other contacts to the same account with the same credential. Prints
 * the 429s per request (and ActiveCampaign's 400s for its imports per minute, the other refusal)
 * and the combined wall time against the floor of the combined contacts (target: ≤ 1 % and
 * ≤ 1.2 ×). A benchmark, not a test: the figures depend on the machine's load. The same pair on a
 * simulated clock: test/nodes/shared/sharedAccountSimulation.test.ts.
 */

interface ChildResult {
	startedAt: number;
	endedAt: number;
	batches: number;
	exported: number;
	received: number;
	error?: string;
}

interface Options {
	destination: string;
	n: number;
	batch: number;
	scale: number;
	processes: number;
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** One export in this process (the child side): N contacts from `offset`, printed as one JSON line. */
async function child(spec: { destination: string; n: number; batch: number; offset: number; credentials: ICredentialDataDecryptedObject }): Promise<void> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { runWorkflow } = require('../test/harness/run') as typeof import('../test/harness/run');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { chain } = require('../test/harness/workflows') as typeof import('../test/harness/workflows');
	const destination = destinationBySlug(spec.destination);
	const profiles = Array.from({ length: spec.n }, (_, index) => ({ json: { email: `shared.${spec.offset + index}@example.com`, firstName: `Shared${index}`, lastName: 'Account' } }));
	const startedAt = Date.now();
	const result = await runWorkflow(
		chain({ name: 'Export', type: destination.nodeType, credentials: destination.credentialRef, parameters: { ...destination.parameters, options: { batchSize: spec.batch } } }),
		{ credentials: { [destination.credentialType]: spec.credentials }, startItems: profiles },
	);
	const endedAt = Date.now();
	const error = result.nodeError('Export');
	const summary = error ? {} : result.output('Export', 0)[0].json;
	const out: ChildResult = { startedAt, endedAt, batches: Number(summary.batches), exported: Number(summary.exported), received: Number(summary.received), error: error?.message };
	console.log(JSON.stringify(out));
}

async function runChild(spec: Parameters<typeof child>[0]): Promise<ChildResult> {
	const process_ = spawn(process.execPath, [__filename, '--child', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
	let last = '';
	createInterface({ input: process_.stdout! }).on('line', (line) => (last = line));
	const code = await new Promise<number | null>((resolve) => process_.once('exit', resolve));
	if (code !== 0) throw new Error(`exporter process exited with ${code}`);
	return JSON.parse(last) as ChildResult;
}

async function requestLog(url: string): Promise<RequestLogEntry[]> {
	return (await (await fetch(`${url}/_sandbox/requests`)).json()) as RequestLogEntry[];
}

export async function runSharedAccount(options: Options): Promise<Record<string, unknown>> {
	const destination = destinationBySlug(options.destination);
	const sandbox = await startSandboxProcess(options.scale);
	const credentials = { ...sandbox.endpoints[destination.key], rateLimitFactor: options.scale } as ICredentialDataDecryptedObject;
	const floorSeconds = (contacts: number) => {
		const imports = Math.ceil(contacts / options.batch);
		return destination.bench.floorMs(imports, contacts - (imports - 1) * options.batch) / 1000 / options.scale;
	};
	const describe = (label: string, results: ChildResult[], log: RequestLogEntry[], contacts: number) => {
		const mine = log.filter((entry) => entry.service === destination.key);
		const throttled = mine.filter((entry) => entry.status === 429).length;
		// ActiveCampaign answers its imports-per-minute limit with a 400 (the sandbox's default form); every contact here is valid.
		const importLimited = mine.filter((entry) => entry.status === 400 && entry.path.includes('bulk_import')).length;
		const wall = (Math.max(...results.map((result) => result.endedAt)) - Math.min(...results.map((result) => result.startedAt))) / 1000;
		const floor = floorSeconds(contacts);
		const exported = results.reduce((sum, result) => sum + result.exported, 0);
		const line = {
			label,
			processes: results.length,
			contacts,
			exported,
			requests: mine.length,
			throttled,
			throttledShare: round(throttled / Math.max(1, mine.length), 4),
			importLimited,
			wallSeconds: round(wall, 2),
			floorSeconds: round(floor, 2),
			wallOverFloor: round(wall / floor),
			errors: results.map((result) => result.error).filter(Boolean),
		};
		console.log(
			`${label.padEnd(30)} ${exported}/${contacts} exported, ${throttled} × 429 of ${mine.length} requests (${(line.throttledShare * 100).toFixed(2)} %), ${importLimited} × 400 rate limit, wall ${line.wallSeconds} s, floor ${line.floorSeconds} s, wall/floor ${line.wallOverFloor}${line.errors.length ? `; errors: ${line.errors.join(' | ')}` : ''}`,
		);
		return line;
	};
	try {
		const single = await runChild({ destination: options.destination, n: options.n, batch: options.batch, offset: 0, credentials });
		const singleLine = describe('single export (1 process)', [single], await requestLog(sandbox.url), options.n);
		await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
		const side = await Promise.all(
			Array.from({ length: options.processes }, async (_, index) => await runChild({ destination: options.destination, n: options.n, batch: options.batch, offset: (index + 1) * options.n, credentials })),
		);
		const sharedLine = describe(`${options.processes} processes, one account`, side, await requestLog(sandbox.url), options.n * options.processes);
		return { single: singleLine, shared: sharedLine };
	} finally {
		sandbox.child.kill('SIGTERM');
	}
}

function value(name: string): string | undefined {
	const argv = process.argv.slice(2);
	const at = argv.indexOf(`--${name}`);
	return at >= 0 ? argv[at + 1] : undefined;
}

async function main(): Promise<void> {
	const childSpec = value('child');
	if (childSpec) return await child(JSON.parse(childSpec) as Parameters<typeof child>[0]);
	const options: Options = {
		destination: value('destination') ?? 'active-campaign',
		n: Number(value('n') ?? 5000),
		batch: Number(value('batch') ?? 50),
		scale: Number(value('scale') ?? 10),
		processes: Number(value('processes') ?? 2),
	};
	const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg()[0].toFixed(2)} at start`;
	console.log(`Account-wide pacing: ${options.destination}, ${options.n} contacts per export in batches of ${options.batch}, limits × ${options.scale}; a single export, then ${options.processes} processes side by side (${machine})`);
	const figures = await runSharedAccount(options);
	// Every run is kept, the latest last: the figures depend on the machine's load, so one run is no verdict.
	const file = join(ROOT, 'benchmarks', 'results', 'pacing-shared.json');
	let runs: unknown[] = [];
	try {
		runs = (JSON.parse(readFileSync(file, 'utf8')) as { runs?: unknown[] }).runs ?? [];
	} catch (error) {
		// A first run has no file; an unreadable one is not overwritten (it holds every earlier run).
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	runs.push({ at: new Date().toISOString(), machine, command: `npm run bench:pacing -- ${process.argv.slice(2).join(' ')}`, ...options, ...figures });
	mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true });
	writeFileSync(file, `${JSON.stringify({ runs }, null, 2)}\n`);
	console.log(`Results added to ${file.slice(ROOT.length + 1)}`);
}

export { main as sharedAccountMain };

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(error.message);
		process.exit(1);
	});
}
