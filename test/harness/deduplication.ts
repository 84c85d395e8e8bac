import { createHash } from 'crypto';
import type { DeduplicationItemTypes, DeduplicationScope, ICheckProcessedContextData, ICheckProcessedOptions, IDataDeduplicator, IDeduplicationOutput } from 'n8n-workflow';

/* eslint-disable @typescript-eslint/no-require-imports */
const { DataDeduplicationService } = require('n8n-core') as typeof import('n8n-core');
/* eslint-enable @typescript-eslint/no-require-imports */

interface StoredValue {
	mode: string;
	data: string[];
}

/**
 * n8n's deduplication store (n8n 2.41.1 `packages/cli/src/deduplication/deduplication-helper.ts`)
 * for in-process runs, its entries mode step for step: one row per workflow and scope (`n:<node id>`
 * for scope 'node'), kept as the JSON text the database column holds; values stored as md5 base64;
 * a check records new values at once (the stored set is not updated during one call); a mode that
 * differs from the row's throws; removal takes the first occurrence only; count reads the row.
 * The latest modes are not used by this package and throw here.
 */
export class InMemoryDeduplicator implements IDataDeduplicator {
	/** Row text by `${workflowId}|${context}`. */
	readonly rows = new Map<string, string>();

	/** Calls by kind, so that tests can tell a dry run's store traffic. */
	readonly calls = { check: 0, remove: 0, clear: 0, count: 0 };

	/** Milliseconds spent in the store's own work (hashing, parsing, writing the row text): the benchmark reports it. */
	busyMs = 0;

	private static hash(value: DeduplicationItemTypes): string {
		return createHash('md5').update(value.toString()).digest('base64');
	}

	private static key(scope: DeduplicationScope, contextData: ICheckProcessedContextData): string {
		if (scope === 'node' && !contextData.node) throw new Error("No node information has been provided and so cannot use scope 'node'");
		return `${contextData.workflow.id}|${scope === 'node' ? `n:${contextData.node!.id}` : ''}`;
	}

	private read(key: string, options: ICheckProcessedOptions): StoredValue | undefined {
		const text = this.rows.get(key);
		if (text === undefined) return undefined;
		const value = JSON.parse(text) as StoredValue;
		if (value.mode !== options.mode) throw new Error('Deduplication data was originally saved with an incompatible setting of the ‘Keep Items Where’ parameter.');
		return value;
	}

	async checkProcessedAndRecord(items: DeduplicationItemTypes[], scope: DeduplicationScope, contextData: ICheckProcessedContextData, options: ICheckProcessedOptions): Promise<IDeduplicationOutput> {
		const started = Date.now();
		try {
			return this.check(items, scope, contextData, options);
		} finally {
			this.busyMs += Date.now() - started;
		}
	}

	private check(items: DeduplicationItemTypes[], scope: DeduplicationScope, contextData: ICheckProcessedContextData, options: ICheckProcessedOptions): IDeduplicationOutput {
		this.calls.check++;
		if (options.mode !== 'entries') throw new Error('Only the entries mode is modelled');
		if (!contextData.workflow.id) throw new Error('The workflow has no id');
		const key = InMemoryDeduplicator.key(scope, contextData);
		const hashed = items.map((item) => InMemoryDeduplicator.hash(item));
		const stored = this.read(key, options);
		if (!stored) {
			if (options.maxEntries) hashed.splice(0, hashed.length - options.maxEntries);
			this.rows.set(key, JSON.stringify({ mode: options.mode, data: hashed }));
			return { new: items, processed: [] };
		}
		const known = new Set(stored.data);
		const result: IDeduplicationOutput = { new: [], processed: [] };
		hashed.forEach((hash, index) => {
			if (known.has(hash)) result.processed.push(items[index]);
			else {
				result.new.push(items[index]);
				stored.data.push(hash);
			}
		});
		if (options.maxEntries) stored.data.splice(0, stored.data.length - options.maxEntries);
		this.rows.set(key, JSON.stringify(stored));
		return result;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, contextData: ICheckProcessedContextData, options: ICheckProcessedOptions): Promise<void> {
		this.calls.remove++;
		const key = InMemoryDeduplicator.key(scope, contextData);
		const stored = this.read(key, options);
		if (!stored) return;
		for (const hash of items.map((item) => InMemoryDeduplicator.hash(item))) {
			const index = stored.data.indexOf(hash);
			if (index !== -1) stored.data.splice(index, 1);
		}
		this.rows.set(key, JSON.stringify(stored));
	}

	async clearAllProcessedItems(scope: DeduplicationScope, contextData: ICheckProcessedContextData, _options?: ICheckProcessedOptions): Promise<void> {
		this.calls.clear++;
		this.rows.delete(InMemoryDeduplicator.key(scope, contextData));
	}

	async getProcessedDataCount(scope: DeduplicationScope, contextData: ICheckProcessedContextData, options: ICheckProcessedOptions): Promise<number> {
		this.calls.count++;
		const stored = this.read(InMemoryDeduplicator.key(scope, contextData), options);
		return stored ? stored.data.length : 0;
	}

	/** Bytes of all rows' text, as the database would hold them. */
	storedBytes(): number {
		let bytes = 0;
		for (const text of this.rows.values()) bytes += Buffer.byteLength(text);
		return bytes;
	}
}

/** The deduplicator in-process runs use (n8n initialises its database-backed one at start-up). */
export const deduplicator = new InMemoryDeduplicator();

let initialised: Promise<void> | undefined;
export async function initDeduplication(): Promise<void> {
	initialised ??= DataDeduplicationService.init(deduplicator);
	await initialised;
}
