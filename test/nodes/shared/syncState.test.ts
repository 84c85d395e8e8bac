import type { IExecuteFunctions } from 'n8n-workflow';

import { SyncStateStore } from '../../../nodes/shared/engine/syncState';
import { InMemoryDeduplicator } from '../../harness/deduplication';

const node = { id: 'state-node', name: 'Export', type: 'fake', typeVersion: 2, position: [0, 0] as [number, number], parameters: {} };
const workflow = { id: 'w', active: false };

/** The store over n8n's deduplication helpers, modelled step for step (test/harness/deduplication.ts). */
function store(deduplicator: InMemoryDeduplicator, exactBudget?: number): SyncStateStore {
	const context = { node, workflow };
	const helpers = {
		checkProcessedAndRecord: async (keys: string[], scope: 'node', options: { mode: 'entries' }) => await deduplicator.checkProcessedAndRecord(keys, scope, context, options),
		removeProcessed: async (keys: string[], scope: 'node', options: { mode: 'entries' }) => await deduplicator.removeProcessed(keys, scope, context, options),
		clearAllProcessedItems: async (scope: 'node', options: { mode: 'entries' }) => await deduplicator.clearAllProcessedItems(scope, context, options),
		getProcessedDataCount: async (scope: 'node', options: { mode: 'entries' }) => await deduplicator.getProcessedDataCount(scope, context, options),
	} as unknown as IExecuteFunctions['helpers'];
	return new SyncStateStore(helpers, node, exactBudget);
}

describe('sync state store (n8n deduplication helpers)', () => {
	const row = (deduplicator: InMemoryDeduplicator) => [...deduplicator.rows.values()][0];

	test('a probe that finds every key leaves the row as it was', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b', 'c']);
		const before = row(deduplicator);
		expect([...(await store(deduplicator).probe(['a', 'c'], 3))]).toEqual(['a', 'c']);
		expect(row(deduplicator)).toBe(before);
		expect(deduplicator.calls.remove + deduplicator.calls.clear).toBe(1);
	});

	test('few new keys are taken out again: the row is exactly as it was', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b', 'c']);
		const before = row(deduplicator);
		expect([...(await store(deduplicator).probe(['a', 'x', 'y'], 3))]).toEqual(['a']);
		expect(row(deduplicator)).toBe(before);
	});

	test('above the budget of comparisons the row is rewritten with the keys found (others are forgotten)', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b', 'c']);
		expect([...(await store(deduplicator, 1).probe(['a', 'x'], 3))]).toEqual(['a']);
		expect(await store(deduplicator).entries()).toBe(1);
		expect([...(await store(deduplicator).probe(['a', 'b', 'x'], 1))]).toEqual(['a']);
	});

	test('reset empties the row and says how many entries it held', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b']);
		expect(await store(deduplicator).reset()).toBe(2);
		expect(await store(deduplicator).entries()).toBe(0);
	});
});
