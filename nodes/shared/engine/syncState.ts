import { createHash } from 'crypto';
import type { ICheckProcessedOptions, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * The sync state lives in n8n's own database through the deduplication helpers (the only store n8n
 * gives a community node; it works across queue-mode workers and survives restarts): one row per
 * node (scope 'node', keyed by the node's id, so a renamed node keeps it and a copied one starts
 * afresh), holding an md5 of each entry. Entries are opaque strings made here:
 * - `e…` a contact this node exported to this target (Mirror's "managed"; new versus changed),
 * - `p…` a contact with the exact wire form last confirmed (unchanged if found again),
 * - `r…` one changed-only run since the last full send (for Full Re-send Every N Runs).
 * Each key covers the account and the target, so another account or list starts with no history.
 */
export class SyncKeys {
	private readonly scope: string;

	constructor(account: string, target: string) {
		this.scope = `${account}\n${target}`;
	}

	/** 96 bits of SHA-256: no two of a few million entries collide in practice, and keys stay short in memory. */
	private digest(kind: string, text: string): string {
		return `${kind}${createHash('sha256').update(`${this.scope}\n${kind}\n${text}`).digest('base64').slice(0, 16)}`;
	}

	contact(email: string): string {
		return this.digest('e', email);
	}

	payload(email: string, wireForm: string): string {
		return this.digest('p', `${email}\n${wireForm}`);
	}

	run(count: number): string {
		return this.digest('r', String(count));
	}
}

const ENTRIES: ICheckProcessedOptions = { mode: 'entries' };

/** The entry that marks a check under way (see `begin`). */
const CHECK_UNDER_WAY = 'x:check-under-way';

/**
 * n8n's removeProcessed scans the row once per value removed (n8n 2.41 `deduplication-helper.ts`:
 * findIndex, then splice): removing m values from a row of n costs m × n comparisons. Up to this
 * many, the probe's additions are taken out exactly (about a second of n8n's CPU); above it, the row
 * is rewritten with the entries the probe found.
 */
export const EXACT_PUT_BACK_COMPARISONS = 30_000_000;

/**
 * The node's row of n8n's deduplication store, used as a set. n8n 2.41 has no check-only call (a
 * check records what it did not know), so `probe` puts the row back right after: exactly as it was
 * when few values were new (an unchanged re-run, a refused Mirror run), else holding the entries the
 * probe found (a changed contact's old fingerprint is then forgotten: it would only matter if its
 * data went back to what it was). What this run confirms is added at the end. A run that crashes in
 * between leaves the state without what this run would have added: the next run sends it again.
 */
export class SyncStateStore {
	constructor(
		private readonly helpers: IExecuteFunctions['helpers'],
		private readonly node: INode,
		private readonly exactPutBackComparisons = EXACT_PUT_BACK_COMPARISONS,
	) {}

	async entries(): Promise<number> {
		return await this.guard('read', async () => await this.helpers.getProcessedDataCount('node', ENTRIES));
	}

	/**
	 * Marks a check under way (an entry of its own, taken out by `putBack`): answers whether the mark
	 * was there already, i.e. a run stopped between its check and its put-back, or runs at once.
	 */
	async begin(): Promise<boolean> {
		const { processed } = await this.guard('read', async () => await this.helpers.checkProcessedAndRecord([CHECK_UNDER_WAY], 'node', ENTRIES));
		return processed.length > 0;
	}

	/** Which of `keys` the state holds; n8n records the others as it checks (`putBack` takes them out). */
	async check(keys: string[]): Promise<{ known: Set<string>; added: string[] }> {
		const result = await this.guard('read', async () => await this.helpers.checkProcessedAndRecord(keys, 'node', ENTRIES));
		return { known: new Set(result.processed as string[]), added: result.new as string[] };
	}

	/**
	 * Puts the state back after `check` (and `begin`) exactly where it can: every old entry was found
	 * (then the row is rewritten with them, or what the check added is taken out where that is
	 * cheaper), or, unless `keepOnly` asks for the entries found alone (old fingerprints of changed
	 * contacts must go), few were added (taken out one by one). Otherwise the row is rewritten with
	 * the entries found ('trimmed': entries of contacts not in this input are forgotten).
	 */
	async putBack(known: ReadonlySet<string>, added: string[], entriesBefore: number, keepOnly: boolean): Promise<'exact' | 'trimmed'> {
		const allFound = known.size >= entriesBefore;
		const remove = [...added, CHECK_UNDER_WAY];
		// Taking out what the check added leaves the row as it was. Where few were added (an unchanged
		// re-run adds none) that is also far cheaper than rewriting the row: in n8n at a million contacts
		// a rewrite hashes two million keys again. Where the row keeps fewer than were added (a first
		// run keeps none), rewriting it is the cheaper.
		const removalIsCheaper = !allFound || remove.length <= known.size;
		if ((allFound || !keepOnly) && removalIsCheaper && remove.length * (entriesBefore + remove.length) <= this.exactPutBackComparisons) {
			await this.guard('write', async () => await this.helpers.removeProcessed(remove, 'node', ENTRIES));
			return 'exact';
		}
		await this.replace(known);
		return allFound ? 'exact' : 'trimmed';
	}

	/**
	 * Applies a run's changes to the state the probe left (`known`): appends what is new, and takes out
	 * what goes one by one where that is cheap, else rewrites the row. Returns the entries it then holds.
	 */
	async update(known: ReadonlySet<string>, changes: { add: string[]; remove: string[] }): Promise<number> {
		const add = [...new Set(changes.add)].filter((key) => !known.has(key));
		const remove = [...new Set(changes.remove)].filter((key) => known.has(key));
		const size = known.size + add.length;
		if (remove.length * size <= this.exactPutBackComparisons) {
			if (add.length) await this.guard('write', async () => await this.helpers.checkProcessedAndRecord(add, 'node', ENTRIES));
			if (remove.length) await this.guard('write', async () => await this.helpers.removeProcessed(remove, 'node', ENTRIES));
		} else {
			const gone = new Set(remove);
			await this.replace([...[...known].filter((key) => !gone.has(key)), ...add]);
		}
		return size - remove.length;
	}

	/** Makes the state hold exactly `keys` (one DELETE, then one INSERT of the row). */
	async replace(keys: Iterable<string>): Promise<void> {
		await this.guard('write', async () => {
			await this.helpers.clearAllProcessedItems('node', ENTRIES);
			const all = [...keys];
			if (all.length) await this.helpers.checkProcessedAndRecord(all, 'node', ENTRIES);
		});
	}

	/** Empties the state; returns how many entries it held. */
	async reset(): Promise<number> {
		const held = await this.entries();
		await this.guard('write', async () => await this.helpers.clearAllProcessedItems('node', ENTRIES));
		return held;
	}

	private async guard<T>(what: 'read' | 'write', step: () => Promise<T>): Promise<T> {
		try {
			return await step();
		} catch (error) {
			throw new NodeOperationError(this.node, `Could not ${what} this node's sync state in n8n's database: ${(error as Error).message}`, {
				description:
					'The sync state is kept with n8n\'s deduplication data, per node. Another run of this node changing it at the same moment (two runs at once) can cause this: run it again. ' +
					(what === 'read' ? 'Nothing was sent.' : 'Contacts already sent are upserted again next time, so re-running is safe.'),
			});
		}
	}
}
