import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { cpus, totalmem } from 'os';
import { join } from 'path';

import type { DestinationCase } from '../test/destinations';
import { destinationBySlug, DESTINATIONS } from '../test/destinations';
import { makeProfiles } from '../test/harness/fixtures';
import type { RequestLogEntry } from '../test/sandbox/core';
import { ROOT, startSandboxProcess } from './sandboxProcess';
import { sharedAccountMain } from './sharedAccount';

/**
 * `npm run bench:pacing [-- --destination NAME|all] [--runs 10] [--n 600] [--batch 10]`: pacing
 * precision at the published limits (scale 1). Each destination exports N contacts in batches of
 * B, R times in a row, against the sandbox in its own process, which counts every rate window by
 * the time each request arrived, as a service does. Prints the 429s of each run (target: none) and
 * the wall/floor of the same runs. A benchmark, not a test: the figures depend on the machine.
 * `--processes 2`: two exporter processes on one account (see sharedAccount.ts).
 */

interface PacingRun {
	run: number;
	throttled: number;
	requests: number;
	wallSeconds: number;
	floorSeconds: number;
	ratio: number;
}

function args(): { destinations: DestinationCase[]; runs: number; n: number; batch: number } {
	const argv = process.argv.slice(2);
	const value = (name: string) => {
		const at = argv.indexOf(`--${name}`);
		return at >= 0 ? argv[at + 1] : undefined;
	};
	const destination = value('destination') ?? 'all';
	return {
		destinations: destination === 'all' ? DESTINATIONS : destination.split(',').map((slug) => destinationBySlug(slug.trim())),
		runs: Number(value('runs') ?? 10),
		n: Number(value('n') ?? 600),
		batch: Number(value('batch') ?? 10),
	};
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

async function runDestination(destination: DestinationCase, runs: number, n: number, batch: number): Promise<PacingRun[]> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { runWorkflow } = require('../test/harness/run') as typeof import('../test/harness/run');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { chain } = require('../test/harness/workflows') as typeof import('../test/harness/workflows');
	const sandbox = await startSandboxProcess(1);
	const profiles = makeProfiles(n, 0, 0).profiles.map((json) => ({ json }));
	const results: PacingRun[] = [];
	try {
		for (let run = 1; run <= runs; run++) {
			await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
			const credentials: ICredentialDataDecryptedObject = { ...sandbox.endpoints[destination.key], rateLimitFactor: 1 + run * 1e-9 };
			// A reset forgets OAuth2 tokens: the sandbox issues fresh ones, as a new authorization would.
			if (destination.credentialType.includes('OAuth2')) credentials.oauthTokenData = (await (await fetch(`${sandbox.url}/_sandbox/constantContact/tokens`, { method: 'POST' })).json()) as ICredentialDataDecryptedObject;
			const result = await runWorkflow(
				chain({ name: 'Export', type: destination.nodeType, credentials: destination.credentialRef, parameters: { ...destination.parameters, options: { batchSize: batch } } }),
				// Each run on an account of its own (the factor is part of the pacer's account key, and a
				// hair's change is invisible in pacing): the sandbox's windows were reset, and so are ours.
				{ credentials: { [destination.credentialType]: credentials }, startItems: profiles },
			);
			const error = result.nodeError('Export');
			if (error) throw new Error(`${destination.serviceName}: ${error.message}`);
			const summary = result.output('Export', 0)[0].json;
			const requests = (await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as RequestLogEntry[];
			const wall = (result.run.data.resultData.runData.Export[0].executionTime ?? 0) / 1000;
			const imports = Number(summary.batches);
			const floor = destination.bench.floorMs(imports, n - (imports - 1) * batch) / 1000;
			const entry = { run, throttled: requests.filter((request) => request.status === 429).length, requests: requests.length, wallSeconds: round(wall, 2), floorSeconds: round(floor, 2), ratio: round(wall / floor) };
			results.push(entry);
			console.log(`${destination.slug.padEnd(18)} run ${String(run).padStart(2)}: ${entry.throttled} × 429 of ${entry.requests} requests, wall ${entry.wallSeconds} s, floor ${entry.floorSeconds} s, wall/floor ${entry.ratio}`);
		}
	} finally {
		sandbox.child.kill('SIGTERM');
	}
	return results;
}

async function main(): Promise<void> {
	const { destinations, runs, n, batch } = args();
	const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
	console.log(`Pacing at the published limits: ${runs} runs of ${n} contacts in batches of ${batch} per destination; windows counted by arrival (${machine})`);
	const all: Record<string, PacingRun[]> = {};
	for (const destination of destinations) all[destination.slug] = await runDestination(destination, runs, n, batch);
	console.log('\ndestination        429s per run                     total  wall/floor (median)');
	for (const [slug, results] of Object.entries(all)) {
		const ratios = results.map((result) => result.ratio).sort((a, b) => a - b);
		const throttled = results.map((result) => result.throttled);
		console.log(`${slug.padEnd(18)} ${throttled.join(', ').padEnd(32)} ${String(throttled.reduce((sum, count) => sum + count, 0)).padStart(5)}  ${ratios[Math.floor(ratios.length / 2)]}`);
	}
	mkdirSync(join(ROOT, 'benchmarks', 'results'), { recursive: true });
	const file = join(ROOT, 'benchmarks', 'results', 'pacing.json');
	// Destinations measured earlier keep their figures; those of this run replace theirs.
	let previous: Record<string, PacingRun[]> = {};
	try {
		previous = (JSON.parse(readFileSync(file, 'utf8')) as { destinations?: Record<string, PacingRun[]> }).destinations ?? {};
	} catch {
		// first run
	}
	writeFileSync(file, `${JSON.stringify({ machine, command: `npm run bench:pacing -- ${process.argv.slice(2).join(' ')}`.trim(), runs, n, batch, destinations: { ...previous, ...all } }, null, 2)}\n`);
	console.log(`\nResults written to ${file.slice(ROOT.length + 1)}`);
}

// `--processes N` (or `--child`, its exporter processes): the account-wide mode in sharedAccount.ts.
const shared = process.argv.includes('--processes') || process.argv.includes('--child');
(shared ? sharedAccountMain() : main()).catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
