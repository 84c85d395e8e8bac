import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { BatchOutcome, DestinationAdapter, DestinationRequest, MirrorSupport, RemovalOutcome, RemovalScope, TargetMember } from '../../../nodes/shared/adapter';
import { ContactRejection } from '../../../nodes/shared/adapter';
import type { ExportSummary } from '../../../nodes/shared/engine/accounting';
import type { ExportSettings } from '../../../nodes/shared/engine/run';
import { runExport } from '../../../nodes/shared/engine/run';
import type { SyncSettings } from '../../../nodes/shared/engine/sync';
import { InMemoryDeduplicator } from '../../harness/deduplication';

/**
 * Mirror in the engine against a fake service that keeps its target as a map (address → tags): it
 * imports whatever it is sent, lists its members page by page and removes what it is asked to.
 */
class FakeTarget {
	readonly members = new Map<string, Set<string>>();
	readonly requests: Array<{ purpose: string; body?: string }> = [];
	/** Removal answers: 'done', 'job' (a job that ends done on its first poll) or 'failedJob'. */
	removalAnswer: 'done' | 'job' | 'failedJob' | 'refuseFirst' = 'done';
	/** Imports fail (the run stops) when set. */
	importsFail = false;
	jobs = 0;

	adapter(options: { tags?: boolean } = {}): DestinationAdapter {
		return fakeAdapter(this, options);
	}

	lastScope(): RemovalScope {
		const removal = [...this.requests].reverse().find((request) => request.purpose === 'remove')!;
		return (JSON.parse(removal.body!) as { scope: RemovalScope }).scope;
	}

	remove(emails: string[], scope: RemovalScope): void {
		for (const email of emails) {
			if (scope.kind === 'departed') this.members.delete(email);
			else this.members.get(email)?.delete(scope.tag);
		}
	}

	countOf(purpose: string): number {
		return this.requests.filter((request) => request.purpose === purpose).length;
	}
}

/** The fake service's adapter: its target is `target`'s map. */
function fakeAdapter(target: FakeTarget, options: { tags?: boolean }): DestinationAdapter {
		const mirror: MirrorSupport = {
		maxMembersPerRemoval: 3,
		removesStaleTags: options.tags === true,
		async *readMembers(send) {
			const all = [...target.members.keys()];
			for (let start = 0; start < all.length; start += 50) {
				await send({ method: 'GET', path: `/members?offset=${start}` }, 'read');
				yield all.slice(start, start + 50).map((email): TargetMember => ({ email, id: `id-${email}` }));
			}
		},
		buildRemovalRequest: (members: readonly TargetMember[], scope: RemovalScope): DestinationRequest => ({
			method: 'POST',
			path: '/remove',
			body: JSON.stringify({ members: members.map((member) => member.email), scope }),
		}),
		interpretRemovalResponse: (_response, members): RemovalOutcome => {
			if (target.removalAnswer === 'refuseFirst') {
				target.remove(members.slice(1).map((member) => member.email), target.lastScope());
				return { kind: 'done', failures: [{ position: 0, message: 'Contact is locked' }] };
			}
			if (target.removalAnswer !== 'done') return { kind: 'job', jobId: `removal-${target.jobs++}` };
			target.remove(members.map((member) => member.email), target.lastScope());
			return { kind: 'done', failures: [] };
		},
		pollRemovalJob: async (send, _jobId, members) => {
			await send({ method: 'GET', path: '/removal-job' }, 'poll');
			if (target.removalAnswer === 'failedJob') return { state: 'failed', message: 'the job failed' };
			target.remove(members.map((member) => member.email), target.lastScope());
			return { state: 'done', failures: [] };
		},
	};
	return {
		destination: 'fake',
		serviceName: 'Fake',
		credentialType: 'fakeApi',
		limits: { maxContactsPerRequest: 40, maxBytesPerRequest: 100_000, maxConcurrentRequests: 1, fieldLimits: {} },
		target: 'list-1',
		baseUrl: 'https://fake.example.com',
		emailField: 'email',
		prepare: async () => {},
		serialize: (record: IDataObject, email: string) => ({ email, name: record.name, tags: record.segments }),
		buildBatchRequest: (contactsJson: string): DestinationRequest => ({ method: 'POST', path: '/import', body: `[${contactsJson}]` }),
		interpretBatchResponse: (): BatchOutcome => {
			if (target.importsFail) throw new Error('an answer that cannot be read');
			const sent = JSON.parse(target.requests[target.requests.length - 1].body!) as Array<{ email: string; tags: string[] }>;
			for (const contact of sent) {
				const tags = target.members.get(contact.email) ?? new Set<string>();
				for (const tag of contact.tags) tags.add(tag);
				target.members.set(contact.email, tags);
			}
			return { kind: 'done', created: null, updated: null, failures: [] };
		},
		mirror,
	} as DestinationAdapter;
}

const deduplicator = new InMemoryDeduplicator();
const node = { id: 'mirror-node', name: 'Fake Export', type: 'fake', typeVersion: 2, position: [0, 0] as [number, number], parameters: {} };
const workflow = { id: 'w', active: false };

function context(target: FakeTarget, items: INodeExecutionData[]): IExecuteFunctions {
	return {
		getNode: () => node,
		getInputData: () => items,
		continueOnFail: () => true,
		getExecutionCancelSignal: () => undefined,
		logger: { info: () => {}, debug: () => {}, warn: () => {}, error: () => {} },
		helpers: {
			httpRequestWithAuthentication: async (_type: string, request: { method: string; url: string; body?: string }) => {
				const path = new URL(request.url).pathname;
				const purpose = path === '/import' ? 'import' : path === '/remove' ? 'remove' : path.startsWith('/members') ? 'read' : 'poll';
				target.requests.push({ purpose, body: request.body });
				return { statusCode: 200, headers: {}, body: '{}' };
			},
			prepareBinaryData: async (_content: Buffer, fileName?: string) => ({ data: 'stored', fileName, mimeType: 'text/csv' }),
			checkProcessedAndRecord: async (keys: string[], scope: 'node', options: { mode: 'entries' }) => await deduplicator.checkProcessedAndRecord(keys, scope, { node, workflow }, options),
			removeProcessed: async (keys: string[], scope: 'node', options: { mode: 'entries' }) => await deduplicator.removeProcessed(keys, scope, { node, workflow }, options),
			clearAllProcessedItems: async (scope: 'node', options: { mode: 'entries' }) => await deduplicator.clearAllProcessedItems(scope, { node, workflow }, options),
			getProcessedDataCount: async (scope: 'node', options: { mode: 'entries' }) => await deduplicator.getProcessedDataCount(scope, { node, workflow }, options),
		},
	} as unknown as IExecuteFunctions;
}

const N = 200;
const member = (index: number, segments = ['Newsletter']) => ({ json: { email: `m${index}@example.com`, name: `M${index}`, segments } });
const segment = (left: number[] = [], extra: number[] = []) => [...Array.from({ length: N }, (_, index) => index), ...extra].filter((index) => !left.includes(index)).map((index) => member(index));

async function mirrorRun(target: FakeTarget, items: INodeExecutionData[], sync: Partial<SyncSettings> = {}, adapter = target.adapter()) {
	const settings: ExportSettings = {
		maxContacts: 10_000,
		batchSize: 40,
		longValues: 'reject',
		rateLimitFactor: 1000,
		sync: { mode: 'mirror', dryRun: false, fullResendEvery: 0, maxRemovalPercent: 10, ...sync },
	};
	target.requests.length = 0;
	const [[summary]] = await runExport(context(target, items), adapter, settings, 'secret');
	return summary.json as ExportSummary;
}

describe('Mirror (engine)', () => {
	beforeEach(() => deduplicator.rows.clear());

	test('removes exactly the managed contacts that left; contacts someone else added are not touched', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		target.members.set('someone-else@example.com', new Set(['Newsletter']));
		const left = [5, 50, 120, 121, 199];
		const second = await mirrorRun(target, segment(left));
		expect(second).toMatchObject({ status: 'success', removed: left.length, notRemoved: 0, exported: 0, unchanged: N - left.length });
		expect(target.countOf('import')).toBe(0);
		expect(target.countOf('remove')).toBe(Math.ceil(left.length / 3));
		expect(second.requestsByPurpose).toMatchObject({ read: Math.ceil((N + 1) / 50), remove: 2 });
		for (const index of left) expect(target.members.has(`m${index}@example.com`)).toBe(false);
		expect(target.members.has('someone-else@example.com')).toBe(true);
		expect(target.members.size).toBe(N - left.length + 1);
		// Removed contacts are no longer managed: the next run removes nothing.
		const third = await mirrorRun(target, segment(left));
		expect(third).toMatchObject({ removed: 0, exported: 0 });
		expect(target.countOf('remove')).toBe(0);
	});

	test('a contact that re-enters the segment is sent again as new', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		await mirrorRun(target, segment([7]));
		expect(target.members.has('m7@example.com')).toBe(false);
		const back = await mirrorRun(target, segment());
		expect(back).toMatchObject({ exported: 1, unchanged: N - 1, removed: 0 });
		expect(target.members.has('m7@example.com')).toBe(true);
	});

	test('the safety cap refuses before anything is written, and leaves the state as it was', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		const left = Array.from({ length: 21 }, (_, index) => index);
		const rowBefore = [...deduplicator.rows.values()][0];
		await expect(mirrorRun(target, segment(left, [N + 1]))).rejects.toThrow(/Mirror would remove 21 of the 200 contacts .*more than the 10 % allowed/);
		expect(target.countOf('import') + target.countOf('remove')).toBe(0);
		expect(target.members.size).toBe(N);
		// The state is put back exactly (the probe's few additions taken out again).
		expect([...deduplicator.rows.values()][0]).toBe(rowBefore);
		// An empty input looks like everyone left: refused too.
		await expect(mirrorRun(target, [])).rejects.toThrow(/Mirror would remove 200 of the 200/);
		// With the cap raised for one run, they go.
		expect(await mirrorRun(target, segment(left), { maxRemovalPercent: 20 })).toMatchObject({ removed: 21 });
	});

	test('stale segment tags come off managed contacts that stay in another segment', async () => {
		const target = new FakeTarget();
		const adapter = target.adapter({ tags: true });
		const both = () => Array.from({ length: 20 }, (_, index) => member(index, ['A', 'B']));
		await mirrorRun(target, both(), {}, adapter);
		const moved = both().map((item, index) => (index < 3 ? member(index, ['A']) : item));
		const second = await mirrorRun(target, moved, {}, adapter);
		expect(second).toMatchObject({ exported: 3, staleTagsRemoved: 3, removed: 0 });
		for (let index = 0; index < 20; index++) expect([...target.members.get(`m${index}@example.com`)!].sort()).toEqual(index < 3 ? ['A'] : ['A', 'B']);
	});

	test('a segment that emptied still has its tag taken off (its name comes from Segment Source\'s accounting)', async () => {
		const target = new FakeTarget();
		const adapter = target.adapter({ tags: true });
		const accounting = (perSegment: Record<string, number>) => ({
			json: { segmentSourceAccounting: true, segmentSourceBatch: true, members: [], accounting: { rows: 0, members: 0, merged: 0, invalid: 0, notInAnySegment: 0, perSegment, invalidByReason: {}, invalidRows: [] } },
		});
		await mirrorRun(target, [...Array.from({ length: 20 }, (_, index) => member(index, ['A', 'B'])), accounting({ A: 20, B: 20 })], {}, adapter);
		const second = await mirrorRun(target, [...Array.from({ length: 20 }, (_, index) => member(index, ['A'])), accounting({ A: 20, B: 0 })], { maxRemovalPercent: 100 }, adapter);
		expect(second).toMatchObject({ exported: 20, staleTagsRemoved: 20 });
		for (let index = 0; index < 20; index++) expect([...target.members.get(`m${index}@example.com`)!]).toEqual(['A']);
	});

	test('a contact the service says it could not remove stays managed and is tried again next run', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		target.removalAnswer = 'refuseFirst';
		const failed = await mirrorRun(target, segment([1, 2]));
		expect(failed).toMatchObject({ removed: 1, notRemoved: 1, removalsUnconfirmed: 0 });
		expect(failed.message).toContain('1 could not be removed: tried again next run');
		target.removalAnswer = 'done';
		expect(await mirrorRun(target, segment([1, 2]))).toMatchObject({ removed: 1, notRemoved: 0 });
		expect(target.members.has('m1@example.com') || target.members.has('m2@example.com')).toBe(false);
	});

	test('a removal whose outcome is unknown (a failed job) is not managed any more: a contact that comes back is sent again', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		target.removalAnswer = 'failedJob';
		const failed = await mirrorRun(target, segment([4]));
		expect(failed).toMatchObject({ removed: 0, notRemoved: 0, removalsUnconfirmed: 1 });
		expect(failed.message).toContain('1 not confirmed removed: sent again if they come back');
		// The job "failed", but the service took the contact out after all.
		target.members.delete('m4@example.com');
		const back = await mirrorRun(target, segment());
		expect(back).toMatchObject({ exported: 1, unchanged: N - 1 });
		expect(target.members.has('m4@example.com')).toBe(true);
	});

	test('an unchanged contact someone took out of the target is sent again', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		target.members.delete('m8@example.com');
		const again = await mirrorRun(target, segment());
		expect(again).toMatchObject({ exported: 1, unchanged: N - 1, removed: 0 });
		expect(target.members.has('m8@example.com')).toBe(true);
	});

	test('a managed contact still in the segment but rejected before sending is not removed', async () => {
		const target = new FakeTarget();
		const adapter = target.adapter();
		await mirrorRun(target, segment(), {}, adapter);
		const strict = { ...adapter, serialize: (record: IDataObject, email: string) => {
			if (email === 'm6@example.com') throw new ContactRejection('field_too_long', 'Field "name" is too long');
			return adapter.serialize(record, email, undefined as never);
		} } as DestinationAdapter;
		const run = await mirrorRun(target, segment(), {}, strict);
		expect(run).toMatchObject({ removed: 0, rejected: 1 });
		expect(target.members.has('m6@example.com')).toBe(true);
	});

	test('data that changes and changes back is sent each time', async () => {
		const target = new FakeTarget();
		const renamed = () => segment().map((item, index) => (index === 5 ? { json: { ...item.json, name: 'Renamed' } } : item));
		await mirrorRun(target, segment(), { mode: 'changedOnly' });
		expect(await mirrorRun(target, renamed(), { mode: 'changedOnly' })).toMatchObject({ exported: 1 });
		expect(await mirrorRun(target, segment(), { mode: 'changedOnly' })).toMatchObject({ exported: 1 });
		expect(await mirrorRun(target, segment(), { mode: 'changedOnly' })).toMatchObject({ exported: 0 });
	});

	test('a run stopped between its check and its put-back leaves a mark: the next trusts nothing (sends everything, removes nothing)', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		// What such a run leaves: the mark and every key it checked, as n8n recorded them.
		await deduplicator.checkProcessedAndRecord(['x:check-under-way'], 'node', { node, workflow }, { mode: 'entries' });
		// A dry run reports it and leaves the mark for the real run.
		expect(await mirrorRun(target, segment([3]), { dryRun: true })).toMatchObject({ plan: { new: N - 1, remove: 0 }, syncState: { interrupted: true } });
		const next = await mirrorRun(target, segment([3]));
		expect(next).toMatchObject({ exported: N - 1, removed: 0, unchanged: 0, syncState: { interrupted: true } });
		expect(await mirrorRun(target, segment([3]))).toMatchObject({ exported: 0, unchanged: N - 1 });
	});

	test('a run whose upserts stop removes nothing (a partial run must not look like departures)', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		target.importsFail = true;
		const stopped = await mirrorRun(target, segment([4], [N + 5]));
		expect(stopped.status).toBe('partial');
		expect(stopped).toMatchObject({ removed: 0, notRemoved: 1 });
		expect(target.countOf('remove')).toBe(0);
	});

	test('Dry Run reads the target but writes nothing; the real run then does what it said', async () => {
		const target = new FakeTarget();
		await mirrorRun(target, segment());
		const input = segment([3, 4], [N + 1]);
		const dry = await mirrorRun(target, input, { dryRun: true });
		expect(dry).toMatchObject({ dryRun: true, plan: { new: 1, changed: 0, unchanged: N - 2, remove: 2 } });
		expect(target.countOf('read')).toBeGreaterThan(0);
		expect(target.countOf('import') + target.countOf('remove')).toBe(0);
		const real = await mirrorRun(target, input);
		expect(real).toMatchObject({ exported: 1, removed: 2, unchanged: N - 2 });
	});

	test('a service that cannot mirror is refused by name, nothing sent', async () => {
		const target = new FakeTarget();
		const adapter = { ...target.adapter(), mirror: { refused: 'its removal is an unsubscribe.' } } as DestinationAdapter;
		await expect(mirrorRun(target, segment(), {}, adapter)).rejects.toThrow('Sync Mode "Mirror" is not available for Fake: its removal is an unsubscribe.');
		expect(target.requests).toHaveLength(0);
	});
});
