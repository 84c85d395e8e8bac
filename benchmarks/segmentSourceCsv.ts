import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'fs';
import type { IBinaryData } from 'n8n-workflow';
import { tmpdir } from 'os';
import { join } from 'path';

import { binaryDataService, runWorkflow } from '../test/harness/run';
import { chain } from '../test/harness/workflows';

/**
 * `npm run bench:source [-- --n 1000000 --runs 3 --only phones --output memberFile --input sample]`:
 * Segment Source alone, on an N-row CSV file (binary input) or on the bundled sample generated at N,
 * once plain and once with phones to E.164 and countries to ISO codes. Prints the median wall time of
 * the runs, rows per second and the process's peak RSS (VmHWM, counted from the process start: run
 * one configuration per process to read it). `--output` is batches (default) or memberFile (node
 * version 2, parts stored by n8n's binary data service in filesystem mode). The CSV is generated the
 * same every time, written to a temporary file and stored as n8n stores an uploaded file, so that the
 * node reads it from disk by its id; `--inline` keeps it in the item (base64), as before.
 */

const COUNTRIES = ['Germany', 'DE', 'France', 'Suomi', 'Lietuva', 'United States', 'Italia', 'España', 'Polska', 'Sverige'];
const PHONES = ['0151 23456789', '+49 151 2345 6789', '06 12 34 56 78', '(206) 555-0142', '0401234567', '861234567', '02 1234 5678', '612 345 678', '512 345 678', '070-123 45 67'];

function csvLine(index: number): string {
	// One row in fifty repeats an earlier address (merged), one in two hundred is not an address.
	const id = index % 50 === 49 ? index - 7 : index;
	const email = index % 200 === 199 ? `broken${index}` : `user${id}@example${id % 97}.com`;
	return `${email},First${index % 1000},"Last, ${index % 777}",${PHONES[index % PHONES.length]},City ${index % 300},${COUNTRIES[index % COUNTRIES.length]},${index % 3 ? 'pro' : 'free'},${index % 1000}`;
}

/** The CSV written to a file a few thousand rows at a time (the bench process never holds it whole). */
async function writeCsv(path: string, n: number): Promise<void> {
	const out = createWriteStream(path);
	const write = (text: string) => new Promise<void>((resolve) => (out.write(text) ? resolve() : out.once('drain', () => resolve())));
	await write('email,first_name,last_name,phone,city,country,plan,lifetime_value\n');
	for (let start = 0; start < n; start += 10_000) {
		const lines: string[] = [];
		for (let index = start; index < Math.min(n, start + 10_000); index++) lines.push(csvLine(index));
		await write(lines.join('\n') + '\n');
	}
	await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

function arg(name: string, fallback: number): number {
	const at = process.argv.indexOf(`--${name}`);
	return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
function option(name: string, fallback: string): string {
	const at = process.argv.indexOf(`--${name}`);
	return at >= 0 ? process.argv[at + 1] : fallback;
}

/** Peak resident set size of this process so far, in MB (Linux). */
function peakRssMb(): number {
	const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
	return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

async function timeOnce(input: 'csv' | 'sample', file: IBinaryData | undefined, n: number, output: string, options: Record<string, unknown>): Promise<{ seconds: number; members: number }> {
	const parameters = input === 'sample' ? { source: 'sample', sampleSize: n } : { source: 'file' };
	const workflow = chain({ name: 'Segment Source', type: 'segmentSource', parameters: { ...parameters, options: { outputMode: output, ...options } } });
	// Member File is an output of node version 2.
	if (output === 'memberFile') for (const node of workflow.nodes) if (node.name === 'Segment Source') node.typeVersion = 2;
	const started = process.hrtime.bigint();
	const result = await runWorkflow(workflow, { startItems: [{ json: {}, ...(file ? { binary: { data: file } } : {}) }] });
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const error = result.nodeError('Segment Source');
	if (error) throw new Error(error.message);
	const members = result.output('Segment Source', 0).reduce((sum, item) => sum + (item.json.segmentSourceAccounting ? 0 : Number(item.json.count)), 0);
	return { seconds, members };
}

async function main() {
	const n = arg('n', 1_000_000);
	const runs = arg('runs', 3);
	const output = option('output', 'batches');
	const input = option('input', 'csv') as 'csv' | 'sample';
	const service = await binaryDataService();
	let file: IBinaryData | undefined;
	const folder = mkdtempSync(join(tmpdir(), 'segment-source-bench-'));
	if (input === 'csv') {
		const path = join(folder, 'profiles.csv');
		await writeCsv(path, n);
		const binary: IBinaryData = { data: '', mimeType: 'text/csv', fileName: 'profiles.csv' };
		if (process.argv.includes('--inline')) binary.data = readFileSync(path).toString('base64');
		else await service.store({ type: 'execution', workflowId: 'bench', executionId: 'bench-input' }, createReadStream(path), binary);
		file = binary;
	}
	if (global.gc) global.gc();
	console.log(`before the runs: peak RSS ${peakRssMb()} MB`);
	const configs: Array<[string, Record<string, unknown>]> = [
		['plain', {}],
		['phones+countries', { normalisePhone: true, defaultCountry: 'DE', countryCodes: true }],
	];
	const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
	for (const [label, options] of configs) {
		if (only && !label.startsWith(only)) continue;
		const times: number[] = [];
		let members = 0;
		for (let run = 0; run < runs; run++) {
			const result = await timeOnce(input, file, n, output, options);
			times.push(result.seconds);
			members = result.members;
			if (global.gc) global.gc();
		}
		times.sort((a, b) => a - b);
		const median = times[Math.floor(times.length / 2)];
		console.log(
			`${input} ${output} ${label.padEnd(18)} rows ${n}  members ${members}  runs ${times.map((t) => t.toFixed(2)).join('/')} s  median ${median.toFixed(2)} s  ${Math.round(n / median).toLocaleString('en-US')} rows/s  peak RSS ${peakRssMb()} MB`,
		);
	}
	rmSync(folder, { recursive: true, force: true });
	// The harness's n8n user folder holds the stored input and member file parts.
	if (process.env.N8N_USER_FOLDER?.startsWith(tmpdir())) rmSync(process.env.N8N_USER_FOLDER, { recursive: true, force: true });
}

void main().catch((error) => {
	console.error(error);
	process.exit(1);
});
