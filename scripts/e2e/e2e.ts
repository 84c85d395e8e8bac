import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';

import type { SandboxState } from '../../test/destinations';
import { DESTINATIONS, parametersV2 } from '../../test/destinations';
import type { DestinationCase } from '../../test/destinations';
import { csvRecords } from '../../test/harness/csv';
import { CACHE, freePort, importExamples, n8nCommand, prepareN8n, progress, ROOT, startN8n, startSandboxProcess, stopChild } from './n8nRuntime';

/**
 * `npm run test:e2e`: the package installed into a real n8n 2.x as users install it, the example
 * workflows imported with sandbox credentials, each scheduled example run with `n8n execute`, the
 * webhook example served by `n8n start`, and n8n's log checked for trouble with the package.
 */

const PACKAGE = 'n8n-nodes-segment-export';
const SCALE = 10;
const results: Array<{ name: string; ok: boolean; detail: string }> = [];

function check(name: string, ok: boolean, detail: string): void {
	results.push({ name, ok, detail });
	progress(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

async function sandboxState(url: string): Promise<SandboxState> {
	return (await (await fetch(`${url}/_sandbox/state`)).json()) as SandboxState;
}

/** Contacts the sandbox holds for each destination of the registry, and in the VIP list the webhook example fills. */
function received(state: SandboxState): Record<string, number> {
	const counts: Record<string, number> = Object.fromEntries(DESTINATIONS.map((destination) => [destination.slug, destination.storedInState(state)]));
	const cmLists = state.campaignMonitor.lists as Array<{ ListID: string; subscribers: number }>;
	counts['campaign-monitor-vip'] = cmLists.find((list) => list.ListID === 'cm-list-vip')!.subscribers;
	return counts;
}

type RunOutput = { data: { resultData: { runData: Record<string, Array<{ data: { main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { id?: string }> }>> } }>> } } };

/** The run `n8n execute --rawOutput` printed: pretty JSON between a line "{" and a line "}"; log lines may surround it. */
function rawOutput(stdout: string): RunOutput | undefined {
	const lines = stdout.split('\n');
	try {
		return JSON.parse(lines.slice(lines.indexOf('{'), lines.lastIndexOf('}') + 1).join('\n')) as RunOutput;
	} catch {
		return undefined;
	}
}

/** Profiles of the Member File runs: the bundled sample's 300 and as many generated after them (new addresses). */
const MEMBER_FILE_PROFILES = 600;
/** Members per file part in those runs: several parts from a small N. */
const MEMBER_FILE_PART_SIZE = 100;

/**
 * A scheduled example turned to Segment Source's Member File output, as a workflow of its own
 * (SegExpSched… → SegExpMFile…), written to n8n's folder for import. The exporter lists every
 * contact it does not export in the Rejected file (Max Rejected Items 0), so the run shows that file.
 */
function memberFileWorkflow(userFolder: string, slug: string): { id: string; file: string; source: string; exporter: string } {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', `scheduled-${slug}.json`), 'utf8')) as {
		id: string;
		name: string;
		nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
	};
	workflow.id = workflow.id.replace('Sched', 'MFile');
	workflow.name = `${workflow.name} (Member File)`;
	const source = workflow.nodes.find((node) => node.type.endsWith('.segmentSource'))!;
	source.parameters.sampleSize = MEMBER_FILE_PROFILES;
	source.parameters.options = { ...(source.parameters.options as object | undefined), outputMode: 'memberFile', memberFilePartSize: MEMBER_FILE_PART_SIZE };
	const exporter = workflow.nodes.find((node) => node.type.endsWith('Export'))!;
	exporter.parameters.options = { ...(exporter.parameters.options as object | undefined), maxRejectedItems: 0 };
	const file = join(userFolder, `member-file-${slug}.json`);
	writeFileSync(file, JSON.stringify(workflow, null, 2));
	return { id: workflow.id, file, source: source.name, exporter: exporter.name };
}

/** The file n8n stored for a binary data id (`filesystem-v2:…/<name>`), found by its name under n8n's folder. */
function storedBinaryFile(userFolder: string, id: string): string | undefined {
	const name = id.split('/').pop()!;
	const found = readdirSync(join(userFolder, '.n8n'), { recursive: true, encoding: 'utf8' }).find((path) => path.endsWith(name));
	return found === undefined ? undefined : readFileSync(join(userFolder, '.n8n', found), 'utf8');
}

/** What the member-file run's Rejected output and Rejected file hold, checked against the Summary's counts. */
function rejectedFileCheck(userFolder: string, summaryItem: { json: Record<string, unknown>; binary?: Record<string, { id?: string }> } | undefined, rejectedItems: number): { ok: boolean; detail: string } {
	const summary = summaryItem?.json ?? {};
	const notExported = Number(summary.rejected) + Number(summary.skipped) + Number(summary.notSent);
	const inFile = Number(summary.rejectedInFile);
	const id = summaryItem?.binary?.rejected?.id;
	const rows = id ? storedBinaryFile(userFolder, id) : undefined;
	const records = rows === undefined ? [] : csvRecords(rows);
	const ok = rejectedItems === 0 && inFile === notExported && (inFile === 0 ? id === undefined : typeof id === 'string' && records.length === inFile && records.every((record) => record.reason !== '' && record.message !== ''));
	return { ok, detail: `Rejected output ${rejectedItems} items; rejectedInFile ${inFile} of ${notExported} not exported; file ${id ? `${id.split(':')[0]} id, ${rows === undefined ? 'not found on disk' : `${records.length} rows read from disk`}` : 'none'}` };
}

/** Profiles of the sync runs: enough that 1 % and 0.5 % are whole contacts. */
const SYNC_PROFILES = 400;

/** The sync runs' segment as a CSV file under n8n's readable folder: `changed` get a new first name, `left` are not in it. */
function writeSyncSegment(file: string, changed: number[] = [], left: number[] = []): void {
	const rows = ['email,firstName,lastName,ordersCount'];
	for (let index = 0; index < SYNC_PROFILES; index++) {
		if (left.includes(index)) continue;
		rows.push(`sync.${index}@example.com,${changed.includes(index) ? `Changed${index}` : `First${index}`},Sync,${index % 7}`);
	}
	writeFileSync(file, `${rows.join('\n')}\n`);
}

/**
 * Read/Write Files (the segment's CSV) → Segment Source v2 (one segment holding every row, Member
 * File output) → the exporter v2 with the scheduled example's parameters and a Sync Mode; written
 * to n8n's folder for import. Each `n8n execute` is a new n8n process: the state outlives it.
 */
function syncWorkflow(userFolder: string, destination: DestinationCase, csv: string, syncMode: string): { id: string; file: string; exporter: string } {
	const id = `SegExpSync${destination.slug.replace(/-/g, '').slice(0, 6)}`.padEnd(16, '0').slice(0, 16);
	const exporter = `${destination.serviceName} Export`;
	const segment = {
		name: 'Sync test',
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
			conditions: [{ id: 'c0a80101-0000-4000-8000-0000000000aa', leftValue: '={{ $json.ordersCount }}', rightValue: 0, operator: { type: 'number', operation: 'gte' } }],
			combinator: 'and',
		},
	};
	const workflow = {
		id,
		name: `Sync ${destination.serviceName}`,
		nodes: [
			{ id: `${id}-1`, name: 'Run now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: `${id}-2`, name: 'Read Segment', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, position: [220, 0], parameters: { operation: 'read', fileSelector: csv, options: {} } },
			{
				id: `${id}-3`,
				name: 'Segment Source',
				type: `${PACKAGE}.segmentSource`,
				typeVersion: 2,
				position: [440, 0],
				parameters: { source: 'file', segments: { segment: [segment] }, options: { outputMode: 'memberFile' } },
			},
			{
				id: `${id}-4`,
				name: exporter,
				type: `${PACKAGE}.${destination.nodeType}`,
				typeVersion: 2,
				position: [660, 0],
				parameters: { ...parametersV2(destination), syncMode },
				credentials: JSON.parse(readFileSync(join(ROOT, 'examples', `scheduled-${destination.slug}.json`), 'utf8')).nodes.find((node: { type: string }) => node.type.endsWith('Export')).credentials,
			},
		],
		connections: {
			'Run now': { main: [[{ node: 'Read Segment', type: 'main', index: 0 }]] },
			'Read Segment': { main: [[{ node: 'Segment Source', type: 'main', index: 0 }]] },
			'Segment Source': { main: [[{ node: exporter, type: 'main', index: 0 }]] },
		},
		settings: {},
	};
	const file = join(userFolder, `sync-${destination.slug}.json`);
	writeFileSync(file, JSON.stringify(workflow, null, 2));
	return { id, file, exporter };
}

/** One sync run with `n8n execute`: the exporter's Summary and the import contacts the sandbox took meanwhile. */
async function syncRun(userFolder: string, sandboxUrl: string, destination: DestinationCase, workflow: { id: string; exporter: string }) {
	const before = ((await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as unknown[]).length;
	const run = n8nCommand(userFolder, ['execute', `--id=${workflow.id}`, '--rawOutput']);
	const requests = ((await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as Array<{ service: string; path: string; method: string; contacts: number }>).slice(before);
	const imports = requests.filter((request) => request.service === destination.key && request.method !== 'GET' && request.path.includes(destination.importPath));
	const summary = rawOutput(run.stdout)?.data.resultData.runData[workflow.exporter]?.[0]?.data.main[0][0]?.json ?? {};
	return { status: run.status, output: run.status === 0 ? '' : (run.stderr || run.stdout).slice(-1200), summary, imports: imports.length, importedContacts: imports.reduce((sum, request) => sum + request.contacts, 0), requests };
}

/**
 * Sync Modes in the real n8n: export N, re-run unchanged (no import), change 1 % and drop 0.5 %
 * (exactly those upserts, and with Mirror exactly those removals, a contact added by another tool
 * left alone, then the dropped ones back in the target and not opted out). The state lives in n8n's
 * SQLite between `n8n execute` processes, each a new n8n.
 */
async function syncChecks(userFolder: string, sandboxUrl: string): Promise<void> {
	const folder = join(userFolder, '.n8n-files');
	mkdirSync(folder, { recursive: true });
	const control = async (slug: string, what: string, email = '', method = 'GET') => await fetch(`${sandboxUrl}/_sandbox/destinations/${slug}/${what}?email=${encodeURIComponent(email)}`, { method });
	const stored = async (slug: string) => new Set((await (await control(slug, 'stored')).json()) as string[]);
	const optedOut = async (slug: string, email: string) => ((await (await control(slug, 'opted-out', email)).json()) as { optedOut: boolean }).optedOut;
	for (const destination of DESTINATIONS) {
		const csv = join(folder, `sync-${destination.slug}.csv`);
		const mode = destination.mirror ? 'mirror' : 'changedOnly';
		const workflow = syncWorkflow(userFolder, destination, csv, mode);
		const imported = n8nCommand(userFolder, ['import:workflow', `--input=${workflow.file}`]);
		if (imported.status !== 0) {
			check(`sync ${destination.slug}`, false, `import failed: ${(imported.stderr || imported.stdout).slice(-600)}`);
			continue;
		}
		progress(`Sync Mode ${mode}, ${destination.slug}: export ${SYNC_PROFILES}, re-run, change 1 % and drop 0.5 %${destination.mirror ? ', then the dropped come back' : ''}`);
		writeSyncSegment(csv);
		const first = await syncRun(userFolder, sandboxUrl, destination, workflow);
		const again = await syncRun(userFolder, sandboxUrl, destination, workflow);
		const changed = [10, 111, 222, 333];
		const left = [5, 6];
		const elsewhere = `elsewhere.${destination.slug}@example.com`;
		if (destination.mirror) await control(destination.slug, 'add-elsewhere', elsewhere, 'POST');
		const storedBefore = await stored(destination.slug);
		writeSyncSegment(csv, changed, left);
		const third = await syncRun(userFolder, sandboxUrl, destination, workflow);
		// Omnisend untags asynchronously (modelled in the sandbox): give it a moment.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const storedAfter = await stored(destination.slug);
		const gone = [...storedBefore].filter((email) => !storedAfter.has(email)).sort();
		const leftEmails = left.map((index) => `sync.${index}@example.com`);
		const removals = third.requests.filter((request) => request.service === destination.key && destination.removalPath !== undefined && request.path.includes(destination.removalPath));
		let fourth: Awaited<ReturnType<typeof syncRun>> | undefined;
		let backOk = true;
		let backDetail = '';
		if (destination.mirror) {
			writeSyncSegment(csv, changed);
			fourth = await syncRun(userFolder, sandboxUrl, destination, workflow);
			const storedBack = await stored(destination.slug);
			const optedOutBack = await Promise.all(leftEmails.map(async (email) => await optedOut(destination.slug, email)));
			backOk = fourth.status === 0 && fourth.summary.exported === left.length && leftEmails.every((email) => storedBack.has(email)) && optedOutBack.every((value) => !value) && storedBack.has(elsewhere);
			backDetail = `; back in the segment: exported ${String(fourth.summary.exported)}, in the target ${leftEmails.filter((email) => storedBack.has(email)).length} of ${left.length}, opted out ${optedOutBack.filter(Boolean).length}`;
		}
		const failed = [first, again, third, ...(fourth ? [fourth] : [])].find((run) => run.status !== 0);
		const expectedGone = destination.mirror ? leftEmails : [];
		check(
			`sync ${mode} ${destination.slug}`,
			!failed &&
				first.summary.exported === SYNC_PROFILES &&
				again.imports === 0 &&
				again.summary.unchanged === SYNC_PROFILES &&
				third.importedContacts === changed.length &&
				third.summary.exported === changed.length &&
				third.summary.unchanged === SYNC_PROFILES - changed.length - left.length &&
				third.summary.removed === expectedGone.length &&
				JSON.stringify(gone) === JSON.stringify(expectedGone) &&
				(!destination.mirror || storedAfter.has(elsewhere)) &&
				backOk,
			failed
				? `exit ${failed.status}: ${failed.output}`
				: `run 1 exported ${String(first.summary.exported)}; re-run: ${again.imports} imports, ${String(again.summary.unchanged)} unchanged; 1 % changed, 0.5 % left: ${third.imports} imports of ${third.importedContacts} contacts, Summary exported ${String(third.summary.exported)}, unchanged ${String(third.summary.unchanged)}, removed ${String(third.summary.removed)} (${removals.length} removal requests); gone from the target: ${gone.join(', ') || 'none'}${destination.mirror ? `; added elsewhere still there: ${storedAfter.has(elsewhere)}` : ''}${backDetail}; state ${JSON.stringify(third.summary.syncState)}`,
		);
	}
}

async function postProfiles(url: string, profiles: unknown[]): Promise<Response> {
	return await fetch(`${url}/webhook/segment-export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profiles }) });
}

async function main(): Promise<void> {
	const { userFolder, installed } = prepareN8n();
	check('install as the README documents', true, installed);
	// n8n 2.x reads files only under N8N_RESTRICT_FILE_ACCESS_TO, given in the .env file n8n loads from its working directory.
	writeFileSync(join(userFolder, '.env'), `N8N_RESTRICT_FILE_ACCESS_TO=${join(userFolder, '.n8n-files')}\n`);
	progress(`Starting the destination sandbox (limits × ${SCALE})`);
	const sandbox = await startSandboxProcess(SCALE);
	let n8n: Awaited<ReturnType<typeof startN8n>> | undefined;
	try {
		progress('Importing the sandbox credentials and the example workflows');
		const files = importExamples(userFolder, sandbox.endpoints);
		check('import', true, `${files.length} workflows: ${files.join(', ')}`);

		const exportedBySample: Record<string, number> = {};
		for (const { slug: destination } of DESTINATIONS) {
			const file = `scheduled-${destination}.json`;
			const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as { id: string; nodes: Array<{ name: string; type: string }> };
			const before = received(await sandboxState(sandbox.url))[destination];
			progress(`Running ${file} with n8n execute`);
			const run = n8nCommand(userFolder, ['execute', `--id=${workflow.id}`, '--rawOutput']);
			const after = received(await sandboxState(sandbox.url))[destination];
			const exporter = workflow.nodes.find((node) => node.type.endsWith('Export'))!.name;
			// --rawOutput prints the run as pretty JSON between a line "{" and a line "}"; log lines may surround it.
			const lines = run.stdout.split('\n');
			const output = lines.slice(lines.indexOf('{'), lines.lastIndexOf('}') + 1).join('\n');
			let exported = -1;
			try {
				const data = JSON.parse(output) as { data: { resultData: { runData: Record<string, Array<{ data: { main: Array<Array<{ json: Record<string, unknown> }>> } }>> } } };
				exported = Number(data.data.resultData.runData[exporter][0].data.main[0][0].json.exported);
			} catch {
				progress(`n8n execute printed ${run.stdout.length} characters, ending: ${run.stdout.slice(-400)}`);
			}
			exportedBySample[destination] = exported;
			check(
				`execute ${file}`,
				run.status === 0 && after - before > 200 && exported === after - before,
				run.status === 0 ? `the sandbox received ${after - before} contacts (${destination}); Summary says exported ${exported}` : `exit ${run.status}: ${(run.stderr || run.stdout).slice(-1500)}`,
			);
		}

		// Each exporter from Segment Source's Member File output, in parts: 600 profiles, the first 300
		// being the bundled sample the scheduled run above already exported (upserted again), so the
		// sandbox's new contacts are exactly the members beyond them.
		for (const { slug: destination } of DESTINATIONS) {
			const workflow = memberFileWorkflow(userFolder, destination);
			const imported = n8nCommand(userFolder, ['import:workflow', `--input=${workflow.file}`]);
			if (imported.status !== 0) {
				check(`member file ${destination}`, false, `import failed: ${(imported.stderr || imported.stdout).slice(-600)}`);
				continue;
			}
			const before = received(await sandboxState(sandbox.url))[destination];
			progress(`Running ${destination} from a member file (${MEMBER_FILE_PROFILES} profiles, parts of ${MEMBER_FILE_PART_SIZE}) with n8n execute`);
			const run = n8nCommand(userFolder, ['execute', `--id=${workflow.id}`, '--rawOutput']);
			const after = received(await sandboxState(sandbox.url))[destination];
			const data = rawOutput(run.stdout);
			const sourceItems = data?.data.resultData.runData[workflow.source]?.[0]?.data.main[0] ?? [];
			const parts = sourceItems.filter((item) => item.json.segmentSourceMemberFile === true);
			const onDisk = parts.filter((item) => typeof item.binary?.members?.id === 'string').length;
			const exporterOutputs = data?.data.resultData.runData[workflow.exporter]?.[0]?.data.main;
			const summary = exporterOutputs?.[0][0]?.json ?? {};
			const rejectedFile = rejectedFileCheck(userFolder, exporterOutputs?.[0][0], exporterOutputs?.[1]?.length ?? 0);
			const counts = ['exported', 'rejected', 'skipped', 'notSent'].map((key) => Number(summary[key]));
			const members = Number((summary.segmentSource as Record<string, unknown> | undefined)?.members);
			const partMembers = parts.reduce((sum, item) => sum + Number(item.json.count), 0);
			check(
				`member file ${destination}`,
				run.status === 0 &&
					parts.length >= 3 &&
					onDisk === parts.length &&
					partMembers === members &&
					summary.received === members &&
					counts.reduce((sum, value) => sum + value, 0) === members &&
					counts[0] > exportedBySample[destination] &&
					after - before === counts[0] - exportedBySample[destination] &&
					rejectedFile.ok,
				run.status === 0
					? `${parts.length} parts (${onDisk} stored as files) of ${partMembers} members; Summary received ${String(summary.received)}, exported ${counts[0]}, rejected ${counts[1]}, skipped ${counts[2]}, not sent ${counts[3]}; the sandbox received ${after - before} new contacts (${counts[0]} − ${exportedBySample[destination]} from the sample run); ${rejectedFile.detail}`
					: `exit ${run.status}: ${(run.stderr || run.stdout).slice(-1500)}`,
			);
		}

		await syncChecks(userFolder, sandbox.url);

		progress('Activating the webhook example and starting n8n');
		const publish = n8nCommand(userFolder, ['publish:workflow', '--id=SegExpWebhook001']);
		check('publish webhook example', publish.status === 0, publish.status === 0 ? 'published' : (publish.stderr || publish.stdout).trim().slice(-600));
		n8n = await startN8n(userFolder, await freePort());
		progress(`n8n answers at ${n8n.url}`);

		const profiles = Array.from({ length: 120 }, (_, i) => ({ email: `webhook.${i}@example.com`, firstName: `Web${i}`, lastName: 'Hook', city: 'Lisbon' }));
		profiles.push({ email: 'not-an-address', firstName: 'Bad', lastName: 'Row', city: '' });
		const before = received(await sandboxState(sandbox.url))['campaign-monitor-vip'];
		progress(`POSTing ${profiles.length} profiles to ${n8n.url}/webhook/segment-export`);
		// n8n registers published webhooks shortly after it starts answering: a 404 until then.
		let response = await postProfiles(n8n.url, profiles);
		for (let attempt = 0; response.status === 404 && attempt < 60; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 1000));
			response = await postProfiles(n8n.url, profiles);
		}
		const text = await response.text();
		let summary: Record<string, unknown> = {};
		try {
			summary = JSON.parse(text) as Record<string, unknown>;
		} catch {
			// reported below
		}
		const after = received(await sandboxState(sandbox.url))['campaign-monitor-vip'];
		check(
			'webhook example',
			response.status === 200 && summary.exported === 120 && summary.destination === 'campaignMonitor' && after - before === 120,
			`HTTP ${response.status}, Summary ${text.slice(0, 300)}; the sandbox received ${after - before} contacts`,
		);
		// The caller gets the whole accounting: the message, the exporter's counts and Segment Source's.
		const source = (summary.segmentSource ?? {}) as Record<string, unknown>;
		check(
			'webhook answer carries the accounting',
			Object.keys(summary)[0] === 'message' &&
				typeof summary.message === 'string' &&
				summary.message.startsWith('Exported 120 of 120 to Campaign Monitor list VIP Customers') &&
				source.rows === 121 &&
				source.members === 120 &&
				source.invalid === 1 &&
				JSON.stringify(source.invalidByReason) === '{"invalid_email":1}',
			`message ${JSON.stringify(summary.message)}, segmentSource ${JSON.stringify(source).slice(0, 200)}`,
		);
		progress('POSTing profiles that are all invalid');
		const invalidResponse = await postProfiles(n8n.url, [{ email: 'nope' }, { firstName: 'No address' }]);
		const invalidText = await invalidResponse.text();
		let zero: Record<string, unknown> = {};
		try {
			zero = JSON.parse(invalidText) as Record<string, unknown>;
		} catch {
			// reported below
		}
		const zeroSource = (zero.segmentSource ?? {}) as Record<string, unknown>;
		check(
			'webhook answers an all-invalid POST',
			invalidResponse.status === 200 && zero.received === 0 && zero.exported === 0 && zeroSource.rows === 2 && zeroSource.invalid === 2 && zeroSource.members === 0,
			`HTTP ${invalidResponse.status}, ${invalidText.slice(0, 300)}`,
		);

		const loaded = n8n.log.find((line) => line.includes(`Loaded all credentials and nodes from ${PACKAGE}`));
		check('package loaded', /"credentials":\s*4,\s*"nodes":\s*5/.test(loaded ?? ''), loaded?.replace(/^.*Loaded/, 'Loaded').slice(0, 160) ?? 'no line says the package was loaded');
		// Lines about the package: its name outside the cache folder's path (which holds it too), or its
		// node types. The 404s of the webhook probe above are n8n's answer to it, not trouble.
		const trouble = n8n.log
			.map((line) => line.split(CACHE).join('<cache>'))
			.filter((line) => /segment-export|segmentSource|campaignMonitor|constantContact|activeCampaignExport|omnisend/i.test(line) && /\b(error|warn|warning|failed)\b/i.test(line))
			.filter((line) => !line.includes('Received request for unknown webhook'));
		check('n8n log', trouble.length === 0, trouble.length ? trouble.slice(0, 5).join(' | ') : `${n8n.log.length} lines, none with an error or warning about the package`);
	} finally {
		if (n8n) progress(`n8n ${await stopChild(n8n.process)}`);
		progress(`The sandbox ${await stopChild(sandbox.process)}`);
	}
	const failed = results.filter((result) => !result.ok).length;
	if (!failed) rmSync(userFolder, { recursive: true, force: true });
	else progress(`n8n's folder is kept for a look: ${userFolder}`);
	console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch((error: Error) => {
	console.error(error.message);
	console.log('e2e: 0 passed, 1 failed');
	process.exit(1);
});
