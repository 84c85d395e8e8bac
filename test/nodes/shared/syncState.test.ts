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
	const checkAndPutBack = async (store: SyncStateStore, keys: string[], entriesBefore: number, keepOnly = false) => {
		const interrupted = await store.begin();
		const { known, added } = await store.check(keys);
		return { interrupted, known: [...known], putBack: await store.putBack(known, added, entriesBefore, keepOnly) };
	};

	test('a check that finds every entry puts the row back exactly', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b', 'c']);
		expect(await checkAndPutBack(store(deduplicator), ['a', 'b', 'c', 'x'], 3)).toEqual({ interrupted: false, known: ['a', 'b', 'c'], putBack: 'exact' });
		expect(await store(deduplicator).entries()).toBe(3);
	});

	test('an unchanged re-run only takes its mark out again: the row is never cleared and rewritten', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b', 'c']);
		const before = row(deduplicator);
		const clear = jest.spyOn(deduplicator, 'clearAllProcessedItems');
		// Found all, and also when asked to keep only what it found (nothing else was there).
		expect(await checkAndPutBack(store(deduplicator), ['a', 'b', 'c'], 3)).toMatchObject({ putBack: 'exact' });
		expect(await checkAndPutBack(store(deduplicator), ['c', 'b', 'a'], 3, true)).toMatchObject({ putBack: 'exact' });
		expect(clear).not.toHaveBeenCalled();
		expect(row(deduplicator)).toBe(before);
		// Asked to keep only what it found, and all was found: new keys are taken out, the row is as it was.
		expect(await checkAndPutBack(store(deduplicator), ['a', 'x', 'b', 'y', 'c'], 3, true)).toMatchObject({ putBack: 'exact' });
		expect(row(deduplicator)).toBe(before);
	});

	test('a first run (an empty state) clears the row once instead of taking its keys out one by one', async () => {
		const deduplicator = new InMemoryDeduplicator();
		const remove = jest.spyOn(deduplicator, 'removeProcessed');
		expect(await checkAndPutBack(store(deduplicator), ['a', 'b', 'c'], 0)).toMatchObject({ putBack: 'exact' });
		expect(remove).not.toHaveBeenCalled();
		expect(await store(deduplicator).entries()).toBe(0);
	});

	test('few new keys are taken out again: the row is exactly as it was, in order', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b', 'c']);
		const before = row(deduplicator);
		expect(await checkAndPutBack(store(deduplicator), ['a', 'x', 'y'], 3)).toEqual({ interrupted: false, known: ['a'], putBack: 'exact' });
		expect(row(deduplicator)).toBe(before);
	});

	test('above the budget of comparisons, or when asked to keep only what was found, the row holds the entries found', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b', 'c']);
		expect((await checkAndPutBack(store(deduplicator, 1), ['a', 'x'], 3)).putBack).toBe('trimmed');
		expect(await store(deduplicator).entries()).toBe(1);
		await store(deduplicator).replace(['a', 'b', 'c']);
		expect((await checkAndPutBack(store(deduplicator), ['a', 'b'], 3, true)).putBack).toBe('trimmed');
		expect(await store(deduplicator).entries()).toBe(2);
	});

	test('a mark left by a check that was never put back is reported to the next', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a']);
		await store(deduplicator).begin();
		expect((await checkAndPutBack(store(deduplicator), ['a'], 2)).interrupted).toBe(true);
	});

	test('reset empties the row and says how many entries it held', async () => {
		const deduplicator = new InMemoryDeduplicator();
		await store(deduplicator).replace(['a', 'b']);
		expect(await store(deduplicator).reset()).toBe(2);
		expect(await store(deduplicator).entries()).toBe(0);
	});
});
