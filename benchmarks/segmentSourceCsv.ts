import { runWorkflow } from '../test/harness/run';
import { chain } from '../test/harness/workflows';

/**
 * `npm run bench:source [-- --n 1000000 --runs 3 --only phones]`: Segment Source alone on an N-row CSV
 * file (binary input, batch output), once plain and once with phones to E.164 and countries to ISO codes.
 * Prints the median wall time of the runs and rows per second. The CSV is generated in memory, the same
 * every time. `--only plain` or `--only phones` runs one of the two configurations.
 */

const COUNTRIES = ['Germany', 'DE', 'France', 'Suomi', 'Lietuva', 'United States', 'Italia', 'España', 'Polska', 'Sverige'];
const PHONES = ['0151 23456789', '+49 151 2345 6789', '06 12 34 56 78', '(206) 555-0142', '0401234567', '861234567', '02 1234 5678', '612 345 678', '512 345 678', '070-123 45 67'];

function csv(n: number): Buffer {
	const lines = ['email,first_name,last_name,phone,city,country,plan,lifetime_value'];
	for (let index = 0; index < n; index++) {
		// One row in fifty repeats an earlier address (merged), one in two hundred is not an address.
		const id = index % 50 === 49 ? index - 7 : index;
		const email = index % 200 === 199 ? `broken${index}` : `user${id}@example${id % 97}.com`;
		lines.push(`${email},First${index % 1000},"Last, ${index % 777}",${PHONES[index % PHONES.length]},City ${index % 300},${COUNTRIES[index % COUNTRIES.length]},${index % 3 ? 'pro' : 'free'},${index % 1000}`);
	}
	return Buffer.from(lines.join('\n') + '\n');
}

function arg(name: string, fallback: number): number {
	const at = process.argv.indexOf(`--${name}`);
	return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function timeOnce(file: string, options: Record<string, unknown>): Promise<{ seconds: number; members: number }> {
	const started = process.hrtime.bigint();
	const result = await runWorkflow(
		chain({ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'file', options: { outputMode: 'batches', ...options } } }),
		{ startItems: [{ json: {}, binary: { data: { data: file, mimeType: 'text/csv', fileName: 'profiles.csv' } } }] },
	);
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const error = result.nodeError('Segment Source');
	if (error) throw new Error(error.message);
	const members = result.output('Segment Source', 0).reduce((sum, item) => sum + Number(item.json.count), 0);
	return { seconds, members };
}

async function main() {
	const n = arg('n', 1_000_000);
	const runs = arg('runs', 3);
	const file = csv(n).toString('base64');
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
			const result = await timeOnce(file, options);
			times.push(result.seconds);
			members = result.members;
			if (global.gc) global.gc();
		}
		times.sort((a, b) => a - b);
		const median = times[Math.floor(times.length / 2)];
		console.log(`${label.padEnd(18)} rows ${n}  members ${members}  runs ${times.map((t) => t.toFixed(2)).join('/')} s  median ${median.toFixed(2)} s  ${Math.round(n / median).toLocaleString('en-US')} rows/s`);
	}
}

void main().catch((error) => {
	console.error(error);
	process.exit(1);
});
