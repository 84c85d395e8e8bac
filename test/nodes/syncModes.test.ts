import type { IDataObject, INodeExecutionData, IWorkflowBase } from 'n8n-workflow';

import { DESTINATIONS, type DestinationCase, parametersV2 } from '../destinations';
import { csvRecords } from '../harness/csv';
import { deduplicator } from '../harness/deduplication';
import { useSandbox } from '../harness/fixtures';
import { binaryDataService, runWorkflow } from '../harness/run';
import { chain } from '../harness/workflows';
import type { ExportSummary } from '../../nodes/shared/engine/accounting';
import { PLAN_FILE_PROPERTY } from '../../nodes/shared/engine/run';

const N = 200;

/** The segment's members as Segment Source hands them on; `changed` get a new first name, `left` are not in it. */
function members(options: { changed?: number[]; left?: number[]; extra?: number[] } = {}): INodeExecutionData[] {
	const left = new Set(options.left ?? []);
	const changed = new Set(options.changed ?? []);
	const indexes = [...Array.from({ length: N }, (_, index) => index), ...(options.extra ?? [])];
	return indexes
		.filter((index) => !left.has(index))
		.map((index) => ({ json: { email: `m${index}@example.com`, firstName: changed.has(index) ? `Renamed${index}` : `First${index}`, lastName: 'Member', segments: ['Newsletter'] } }));
}

/** Start → exporter (version 2) with a Sync Mode; the node id stays the same, so runs share its state. */
function exportWorkflow(destination: DestinationCase, parameters: IDataObject): Pick<IWorkflowBase, 'nodes' | 'connections'> {
	const workflow = chain({ name: 'Export', type: destination.nodeType, parameters: { ...parametersV2(destination), ...parameters }, credentials: destination.credentialRef });
	workflow.nodes[1].typeVersion = 2;
	return workflow;
}

describe.each(DESTINATIONS)('Sync Mode with $serviceName', (destination) => {
	const sandbox = useSandbox();
	beforeEach(() => deduplicator.rows.clear());

	async function exportRun(items: INodeExecutionData[], parameters: IDataObject) {
		const before = sandbox().requests.length;
		const run = await runWorkflow(exportWorkflow(destination, parameters), { credentials: { [destination.credentialType]: destination.credentials(sandbox()) }, startItems: items });
		const requests = sandbox().requests.slice(before);
		const imports = requests.filter((request) => request.service === destination.key && request.path.includes(destination.importPath));
		const [summaryItem] = run.output('Export', 0);
		const summary = summaryItem.json as ExportSummary;
		expect(summary.received).toBe(summary.exported + summary.rejected + summary.skipped + summary.notSent);
		return { summary, summaryItem, imports, requests, contactsImported: imports.reduce((sum, request) => sum + request.contacts, 0) };
	}

	test('Changed Only: a re-run of the same segment sends no import; 1 % changed sends exactly those; the state survives in n8n\'s store', async () => {
		const first = await exportRun(members(), { syncMode: 'changedOnly' });
		expect(first.summary).toMatchObject({ status: 'success', exported: N, unchanged: 0, syncMode: 'changedOnly' });
		expect(first.summary.syncState).toMatchObject({ entriesBefore: 0, entriesAfter: 2 * N });

		const again = await exportRun(members(), { syncMode: 'changedOnly' });
		expect(again.imports).toHaveLength(0);
		expect(again.summary).toMatchObject({ status: 'success', exported: 0, unchanged: N, skipped: N, rejected: 0 });
		expect(again.summary.message).toContain(`${N} unchanged since the last run`);

		const changed = [3, 77];
		const third = await exportRun(members({ changed, extra: [N] }), { syncMode: 'changedOnly' });
		expect(third.contactsImported).toBe(changed.length + 1);
		expect(third.summary).toMatchObject({ exported: changed.length + 1, unchanged: N - changed.length });
		expect(destination.stored(sandbox())).toContain(`m${N}@example.com`);
		// The state holds each contact once, with its latest wire form.
		expect(third.summary.syncState).toMatchObject({ entriesAfter: 2 * (N + 1) });
	});

	test('Dry Run writes nothing, changes no state, and says what the real run then does', async () => {
		await exportRun(members(), { syncMode: 'changedOnly' });
		const rowBefore = [...deduplicator.rows.values()][0];
		const input = members({ changed: [1, 2, 3], extra: [N, N + 1] });
		const dry = await exportRun(input, { syncMode: 'changedOnly', dryRun: true });
		const writes = dry.requests.filter((request) => request.service === destination.key && request.method !== 'GET');
		expect(writes.filter((request) => request.path.includes(destination.importPath))).toHaveLength(0);
		expect(dry.summary).toMatchObject({ dryRun: true, exported: 0, plan: { new: 2, changed: 3, unchanged: N - 3, remove: 0 } });
		// The probe's few additions are taken out again: the row is exactly as it was.
		expect([...deduplicator.rows.values()][0]).toBe(rowBefore);
		const plan = csvRecords((await (await binaryDataService()).getAsBuffer(dry.summaryItem.binary![PLAN_FILE_PROPERTY])).toString('utf8'));
		expect(plan.filter((row) => row.action !== 'unchanged').map((row) => `${row.email} ${row.action}`).sort()).toEqual(
			['m1@example.com changed', 'm2@example.com changed', 'm3@example.com changed', `m${N}@example.com new`, `m${N + 1}@example.com new`].sort(),
		);

		const real = await exportRun(input, { syncMode: 'changedOnly' });
		expect(real.contactsImported).toBe(5);
		expect(real.summary).toMatchObject({ exported: 5, unchanged: N - 3 });
	});

	test('Reset Sync State clears the state once and sends nothing; the next Changed Only run sends everything', async () => {
		await exportRun(members(), { syncMode: 'changedOnly' });
		const before = sandbox().requests.length;
		const reset = await runWorkflow(exportWorkflow(destination, { operation: 'resetSyncState', privacyAcknowledged: false }), {
			credentials: { [destination.credentialType]: destination.credentials(sandbox()) },
		});
		expect(reset.output('Export', 0)[0].json).toMatchObject({ operation: 'resetSyncState', entriesCleared: 2 * N });
		expect(sandbox().requests.length).toBe(before);
		const after = await exportRun(members(), { syncMode: 'changedOnly' });
		expect(after.summary).toMatchObject({ exported: N, unchanged: 0 });
	});

	test('Full Re-send Every N Runs: every 3rd run sends everything, the others only what changed', async () => {
		const options = { syncMode: 'changedOnly', options: { fullResendEvery: 3 } };
		const exported: number[] = [];
		for (let run = 0; run < 6; run++) exported.push((await exportRun(members(), options)).summary.exported);
		// Run 1 is the first (all new); then two changed-only runs, a full one, and so on.
		expect(exported).toEqual([N, 0, N, 0, 0, N]);
	});

	// Mirror where the service offers it; a refusal by name where it does not.
	if (destination.mirror) test('Mirror: exactly the upserts and removals; contacts added elsewhere untouched; a contact that comes back is in the target and not opted out', async () => {
		await exportRun(members(), { syncMode: 'mirror' });
		destination.addElsewhere(sandbox(), 'elsewhere@example.com');
		const storedBefore = new Set(destination.stored(sandbox()));
		expect(storedBefore.size).toBe(N + 1);
		const changed = [3, 77];
		const left = [10];
		const second = await exportRun(members({ changed, left }), { syncMode: 'mirror' });
		expect(second.contactsImported).toBe(changed.length);
		expect(second.summary).toMatchObject({ status: 'success', exported: changed.length, removed: left.length, notRemoved: 0, unchanged: N - changed.length - left.length });
		const removals = second.requests.filter((request) => request.service === destination.key && request.path.includes(destination.removalPath!));
		expect(removals.length).toBeGreaterThan(0);
		// Omnisend untags asynchronously (modelled): wait until the sandbox applied it.
		for (let attempt = 0; attempt < 100 && destination.stored(sandbox()).includes('m10@example.com'); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
		const storedAfter = new Set(destination.stored(sandbox()));
		expect([...storedBefore].filter((email) => !storedAfter.has(email))).toEqual(['m10@example.com']);
		expect(storedAfter.has('elsewhere@example.com')).toBe(true);
		expect(destination.optedOut(sandbox(), 'm10@example.com')).toBe(false);

		const back = await exportRun(members({ changed }), { syncMode: 'mirror' });
		expect(back.summary).toMatchObject({ exported: 1, removed: 0, unchanged: N - 1 });
		expect(destination.stored(sandbox())).toContain('m10@example.com');
		expect(destination.optedOut(sandbox(), 'm10@example.com')).toBe(false);
	});

	if (!destination.mirror) test('Mirror is refused with the reason, nothing sent', async () => {
		const before = sandbox().requests.length;
		const run = await runWorkflow(exportWorkflow(destination, { syncMode: 'mirror' }), { credentials: { [destination.credentialType]: destination.credentials(sandbox()) }, startItems: members() });
		expect(run.nodeError('Export')?.message).toMatch(new RegExp(`^Sync Mode "Mirror" is not available for ${destination.serviceName}: .+ Use Sync Mode "Changed Only"\\.$`));
		expect(sandbox().requests.slice(before).filter((request) => request.service === destination.key && request.method !== 'GET')).toHaveLength(0);
	});

	test('a contact the service refuses is not recorded: the next run sends it again', async () => {
		const bad = { json: { email: 'toolong@example.com', firstName: 'x'.repeat(300), lastName: 'Member', segments: ['Newsletter'] } };
		const first = await exportRun([...members(), bad], { syncMode: 'changedOnly' });
		expect(first.summary.exported + first.summary.rejected).toBe(N + 1);
		const second = await exportRun([...members(), bad], { syncMode: 'changedOnly' });
		expect(second.summary.unchanged).toBe(first.summary.exported);
		expect(second.summary.exported + second.summary.rejected).toBe(N + 1 - first.summary.exported);
	});
});
