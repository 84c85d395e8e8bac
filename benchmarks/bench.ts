import { fork } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';
import { cpus, totalmem } from 'os';
import { join } from 'path';

import type { BuiltinComparison } from './builtin';
import { compareWithBuiltin } from './builtin';
import type { DestinationName } from './floors';
import { destinationBySlug } from '../test/destinations';
import { argValue, CONTACTS_PER_REQUEST, DEFAULT_SCALE, destinationsArg, floorSeconds, REPLACED_PLATFORM_SECONDS } from './floors';
import { ROOT, startSandboxProcess } from './sandboxProcess';

/**
 * `npm run bench [-- --destination NAME|all] [--n 1000000] [--scale S] [--output memberFile|batches]`: exports
 * N generated profiles through Segment Source (Member File output unless told) → the exporter in one
 * in-process workflow execution, with n8n-core's binary data service in
 * filesystem mode as n8n runs it (member file parts on disk, items carry references), against
 * the sandbox running in a separate process with its limits sped up by S, and compares the wall time
 * with the floor the limits allow. Each destination runs in a process of its own, so its peak RSS and
 * CPU are its own.
 */

/** Segment Source's output: member files (what large segments use) or the older batch items. */
type Output = 'memberFile' | 'batches';

export interface DestinationResult {
	name: DestinationName;
	n: number;
	output: Output;
	scale: number;
	wallSeconds: number;
	floorSeconds: number;
	ratio: number;
	cpuSeconds: number;
	peakRssMb: number;
	segmentSourceSeconds: number;
	segmentSourceShare: number;
	requests: number;
	requestsByPurpose: Record<string, number>;
	retries: number;
	exported: number;
	storedInSandbox: number;
	projectedSecondsAtPublishedLimits: number;
	replacedPlatformSeconds: number;
}

function args(): { destinations: DestinationName[]; n: number; scale?: number; output: Output; child: boolean; builtin: boolean; builtinN: number } {
	const argv = process.argv.slice(2);
	const value = argValue;
	const destinations = destinationsArg();
	const output = (value('output') ?? 'memberFile') as Output;
	if (output !== 'memberFile' && output !== 'batches') throw new Error(`--output is memberFile or batches, not ${output}`);
	return {
		output,
		destinations,
		n: Number(value('n') ?? 1_000_000),
		scale: value('scale') ? Number(value('scale')) : undefined,
		child: argv.includes('--child'),
		// The comparison with n8n's built-in node runs with the ActiveCampaign benchmark unless --no-builtin.
		builtin: !argv.includes('--no-builtin') && !argv.includes('--builtin-only') ? destinations.includes('active-campaign') : argv.includes('--builtin-only'),
		builtinN: Number(value('builtin-n') ?? 2000),
	};
}

const stamp = (started: number) => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s]`;

function peakRssMb(): number {
	const status = readFileSync('/proc/self/status', 'utf8');
	const match = /VmHWM:\s+(\d+) kB/.exec(status);
	return match ? Math.round(Number(match[1]) / 1024) : Math.round(process.memoryUsage().rss / 1_048_576);
}

/** One destination, in this (child) process. */
async function runOne(destination: DestinationName, n: number, scale: number, output: Output): Promise<DestinationResult> {
	const started = Date.now();
	const log = (text: string) => console.log(`${stamp(started)} ${destination}: ${text}`);
	log(`starting the sandbox (limits × ${scale})`);
	const sandbox = await startSandboxProcess(scale);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { runWorkflow, echoLogs } = require('../test/harness/run') as typeof import('../test/harness/run');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { chain } = require('../test/harness/workflows') as typeof import('../test/harness/workflows');
	echoLogs((line) => {
		if (line.level === 'info' || line.level === 'warn' || line.level === 'error') log(line.message);
	});
	const exporter = destinationBySlug(destination);
	const cpuBefore = process.cpuUsage();
	log(`exporting ${n.toLocaleString('en-US')} generated profiles: Segment Source (${output === 'memberFile' ? 'Member File' : 'batch'} output) → ${exporter.nodeType}`);
	const workflow = chain(
		{ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'sample', sampleSize: n, sampleProblemRows: false, options: { outputMode: output } } },
		{ name: 'Export', type: exporter.nodeType, credentials: exporter.credentialRef, parameters: exporter.parameters },
	);
	// Segment Source at version 2 (Member File is a version 2 output); the exporter at version 1 with the
	// registry's parameters, as in the earlier figures (both versions run the same engine).
	for (const node of workflow.nodes) if (node.type.endsWith('.segmentSource')) node.typeVersion = 2;
	const result = await runWorkflow(workflow, { credentials: { [exporter.credentialType]: { ...sandbox.endpoints[exporter.key], rateLimitFactor: scale } } });
	const cpu = process.cpuUsage(cpuBefore);
	echoLogs(undefined);
	const error = result.nodeError('Export') ?? result.nodeError('Segment Source');
	if (error) throw new Error(`${destination}: ${error.message} ${error.description ?? ''}`);
	const runData = result.run.data.resultData.runData;
	const sourceSeconds = (runData['Segment Source'][0].executionTime ?? 0) / 1000;
	const exportSeconds = (runData.Export[0].executionTime ?? 0) / 1000;
	const summary = result.output('Export', 0)[0].json as Record<string, unknown>;
	const state = (await (await fetch(`${sandbox.url}/_sandbox/state`)).json()) as Record<string, Record<string, unknown>>;
	sandbox.child.kill('SIGTERM');

	const stored = exporter.storedInState(state);
	const requests = Number(summary.batches);
	const exported = Number(summary.exported);
	const perRequest = CONTACTS_PER_REQUEST(destination) ?? Math.ceil(exported / requests);
	const lastBatch = exported - (requests - 1) * perRequest > 0 ? exported - (requests - 1) * perRequest : perRequest;
	const floor = floorSeconds(destination, requests, lastBatch, scale);
	const wall = sourceSeconds + exportSeconds;
	const ratio = wall / floor;
	// At the published limits, the same export: the 1M floor at scale 1, stretched by the measured ratio.
	const millionRequests = Math.ceil((1_000_000 / exported) * requests);
	const projected = floorSeconds(destination, millionRequests, perRequest, 1) * ratio;
	log(`done: ${exported.toLocaleString('en-US')} exported in ${wall.toFixed(1)} s (floor ${floor.toFixed(1)} s), sandbox holds ${stored.toLocaleString('en-US')}`);
	return {
		name: destination,
		n,
		output,
		scale,
		wallSeconds: round(wall),
		floorSeconds: round(floor),
		ratio: round(ratio, 3),
		cpuSeconds: round((cpu.user + cpu.system) / 1e6),
		peakRssMb: peakRssMb(),
		segmentSourceSeconds: round(sourceSeconds),
		segmentSourceShare: round(sourceSeconds / wall, 3),
		requests: Number(summary.requests),
		requestsByPurpose: summary.requestsByPurpose as Record<string, number>,
		retries: Number(summary.retries),
		exported,
		storedInSandbox: stored,
		projectedSecondsAtPublishedLimits: Math.round(projected),
		replacedPlatformSeconds: REPLACED_PLATFORM_SECONDS(destination),
	};
}

function readLatest(): { destinations?: DestinationResult[]; builtinActiveCampaign?: BuiltinComparison } {
	try {
		return JSON.parse(readFileSync(join(ROOT, 'benchmarks', 'results', 'latest.json'), 'utf8'));
	} catch {
		return {};
	}
}

function round(value: number, digits = 1): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

const minutes = (seconds: number) => (seconds >= 90 ? `${(seconds / 60).toFixed(1)} min` : `${Math.round(seconds)} s`);

function report(results: DestinationResult[]): void {
	console.log('');
	console.log('destination        n          scale  wall s   floor s  wall/floor  cpu s  peak RSS MB  source share  requests (import/poll/discovery)  retries  stored');
	for (const r of results) {
		const kinds = `${r.requestsByPurpose.import}/${r.requestsByPurpose.poll}/${r.requestsByPurpose.discovery}`;
		console.log(
			`${r.name.padEnd(18)} ${String(r.n).padEnd(10)} ${String(r.scale).padEnd(6)} ${r.wallSeconds.toFixed(1).padStart(7)} ${r.floorSeconds.toFixed(1).padStart(8)}  ${r.ratio.toFixed(3).padStart(10)} ${r.cpuSeconds.toFixed(1).padStart(6)} ${String(r.peakRssMb).padStart(12)} ${(r.segmentSourceShare * 100).toFixed(1).padStart(12)}%  ${kinds.padStart(32)} ${String(r.retries).padStart(8)}  ${r.storedInSandbox}`,
		);
	}
	console.log('');
	console.log("At the published limits, 1,000,000 contacts (projection) vs Dynamics 365 Customer Insights' outbound export (its documented time, up to):");
	for (const r of results) {
		console.log(`  ${r.name.padEnd(18)} ${minutes(r.projectedSecondsAtPublishedLimits).padStart(9)}   vs ${minutes(r.replacedPlatformSeconds)}`);
	}
	console.log('');
	console.log('Targets:');
	for (const r of results) {
		const perMillion = (value: number) => (value * 1_000_000) / r.n;
		const checks = [
			[`wall/floor ${r.ratio.toFixed(3)} ≤ 1.15`, r.ratio <= 1.15],
			[`peak RSS ${r.peakRssMb} MB ≤ 600 MB${r.n === 1_000_000 ? '' : ' (at this N)'}${r.output === 'memberFile' ? '' : ' (batch output)'}`, r.peakRssMb <= 600],
			[`CPU ${perMillion(r.cpuSeconds).toFixed(1)} s per 1M ≤ 60 s`, perMillion(r.cpuSeconds) <= 60],
		] as const;
		console.log(`  ${r.name.padEnd(18)} ${checks.map(([text, ok]) => `${ok ? 'holds' : 'MISSED'}: ${text}`).join('; ')}`);
	}
}

async function main(): Promise<void> {
	const { destinations, n, scale, output, child, builtin, builtinN } = args();
	if (process.argv.includes('--builtin-child')) {
		const started = Date.now();
		const ratioArg = process.argv.indexOf('--ours-ratio');
		const ratio = ratioArg >= 0 ? Number(process.argv[ratioArg + 1]) : readLatest().destinations?.find((d) => d.name === 'active-campaign' && d.n === 1_000_000)?.ratio;
		const comparison = await compareWithBuiltin(
			builtinN,
			async (sandboxScale) => {
				const sandbox = await startSandboxProcess(sandboxScale);
				return { url: sandbox.url, endpoints: sandbox.endpoints, stop: () => sandbox.child.kill('SIGTERM') };
			},
			(text) => console.log(`${stamp(started)} builtin: ${text}`),
			ratio,
		);
		process.send!(comparison);
		return;
	}
	if (child && destinations.length === 1 && process.argv.includes('--builtin-only')) return;
	if (child) {
		const result = await runOne(destinations[0], n, scale ?? DEFAULT_SCALE(destinations[0]), output);
		process.send!(result);
		return;
	}
	const started = Date.now();
	console.log(`${stamp(started)} benchmark: ${destinations.join(', ')}, N = ${n.toLocaleString('en-US')}, Segment Source output ${output}, one process per destination`);
	const results: DestinationResult[] = [];
	for (const destination of process.argv.includes('--builtin-only') ? [] : destinations) {
		const childArgs = ['--destination', destination, '--n', String(n), '--output', output, '--child', ...(scale ? ['--scale', String(scale)] : [])];
		const result = await new Promise<DestinationResult>((resolve, reject) => {
			const worker = fork(__filename, childArgs, { stdio: 'inherit' });
			worker.once('message', (message) => resolve(message as DestinationResult));
			worker.once('exit', (code) => (code ? reject(new Error(`${destination} benchmark exited with ${code}`)) : undefined));
		});
		results.push(result);
	}
	report(results);
	const file = join(ROOT, 'benchmarks', 'results', 'latest.json');
	const previous = readLatest();
	const merged = [...(previous.destinations ?? []).filter((d) => !results.some((r) => r.name === d.name)), ...results];
	let builtinActiveCampaign = previous.builtinActiveCampaign;
	if (builtin) {
		console.log(`${stamp(started)} comparison with n8n's built-in ActiveCampaign node, N = ${builtinN}, published limits`);
		builtinActiveCampaign = await new Promise<BuiltinComparison>((resolve, reject) => {
			const ours = merged.find((d) => d.name === 'active-campaign' && d.n === 1_000_000);
			const worker = fork(__filename, ['--builtin-child', '--builtin-n', String(builtinN), ...(ours ? ['--ours-ratio', String(ours.ratio)] : [])], { stdio: 'inherit' });
			worker.once('message', (message) => resolve(message as BuiltinComparison));
			worker.once('exit', (code) => (code ? reject(new Error(`built-in comparison exited with ${code}`)) : undefined));
		});
		const c = builtinActiveCampaign;
		console.log('');
		console.log(`n8n's ActiveCampaign node vs ours, ${c.n} contacts at the published limits: ${c.builtinSeconds} s vs ${c.oursSeconds} s — ${c.speedup}× faster (target ≥ 50×: ${c.speedup >= 50 ? 'holds' : 'MISSED'})`);
		console.log(`1,000,000 contacts at the published limits: n8n's node ${minutes(c.builtinProjectedSecondsFor1M)} (${(c.builtinProjectedSecondsFor1M / 3600).toFixed(1)} h), ours ${minutes(c.oursProjectedSecondsFor1M)}`);
	}
	const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
	writeFileSync(file, `${JSON.stringify({ machine, command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), destinations: merged, builtinActiveCampaign }, null, 2)}\n`);
	console.log(`\nResults written to ${file.slice(ROOT.length + 1)}`);
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
