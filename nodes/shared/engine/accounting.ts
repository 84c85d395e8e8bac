import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { RejectionReason } from '../contact';
import type { RequestCount } from '../adapter';
import { RejectedFile } from './rejectedFile';

export type LongValuePolicy = 'reject' | 'truncate';

/** Field Segment Source sets on its accounting item (a batch item without members, so exporters send nothing for it). */
export const SOURCE_ACCOUNTING_MARKER = 'segmentSourceAccounting';

/** Invalid rows listed by row in the accounting; the rest are counted only (all of them are on Segment Source's Invalid output). */
export const MAX_LISTED_INVALID_ROWS = 100;

/**
 * What Segment Source did with the rows it read: the data of its accounting item, carried by the
 * exporters into their Summary as `segmentSource` (contract: keep stable, add only).
 * rows = members + merged + invalid + notInAnySegment.
 */
export interface SourceAccounting extends IDataObject {
	rows: number;
	members: number;
	/** Rows folded into another row with the same e-mail address. */
	merged: number;
	invalid: number;
	/** Valid profiles that matched no segment (0 with no segment defined: every valid profile is a member). */
	notInAnySegment: number;
	/** Members per segment name. */
	perSegment: Record<string, number>;
	invalidByReason: Record<string, number>;
	/** The first invalid rows (row number, reason, message); all of them are on the Invalid output. */
	invalidRows: Array<{ row: number; reason: string; message: string }>;
}

/** The Summary item's fields (contract: keep stable, add only). */
export interface ExportSummary extends IDataObject {
	/** One line for people: what was exported where, and why anything was not. */
	message: string;
	destination: string;
	/** The service, as people name it ("Campaign Monitor"). */
	destinationName: string;
	target: string;
	/** The list names where known (else the IDs), or what Omnisend contacts are tagged with. */
	targetName: string;
	status: 'success' | 'partial';
	received: number;
	exported: number;
	created: number | null;
	updated: number | null;
	rejected: number;
	skipped: number;
	/** Part of notSent: sent, but the service's answer was lost or unreadable (they may have arrived). */
	unconfirmed: number;
	notSent: number;
	batches: number;
	requests: number;
	retries: number;
	durationMs: number;
	jobIds: string[];
	truncatedValues: number;
	/** Fields left out of some contacts because their value was not valid there, by field: e.g. { MobileNumber: 12 }. */
	fieldsOmitted: Record<string, number>;
	/** Requests by purpose; `isolate` counts the extra imports sent to find contacts at fault in refused batches (not in `import`). */
	requestsByPurpose: Record<RequestCount, number>;
	/** Rejected contacts counted by reason (skipped duplicates and not-sent contacts are counted in their own fields). */
	rejectedByReason: Record<string, number>;
	/**
	 * Contacts not exported (rejected, skipped or not sent) listed in the Rejected file on this item
	 * instead of as items: Rejected output items + rejectedInFile = rejected + skipped + notSent.
	 */
	rejectedInFile: number;
	/** The Rejected file (CSV), when any contact is in it: its binary property, file name and rows (header not counted). */
	rejectedFile?: { property: string; fileName: string; rows: number };
	/** Segment Source's accounting, when its accounting item came in with the members. */
	segmentSource?: SourceAccounting;
	/** Part of skipped: contacts unchanged since the last run that confirmed them (Sync Modes). */
	unchanged: number;
	/** Managed contacts taken out of the target because they left the segment (Mirror); not part of `received`. */
	removed: number;
	/** The node's Sync Mode (version 2). */
	syncMode?: string;
	/** Managed contacts that left but could not be removed; they stay managed and are tried again next run (Mirror). */
	notRemoved?: number;
	/** Departed contacts whose removal could not be confirmed (a failed or unfinished job): no longer managed; sent again if they come back. */
	removalsUnconfirmed?: number;
	/** Segment tags taken off contacts that left one segment but stay in another (Mirror, services that tag). */
	staleTagsRemoved?: number;
	/** The sync state's entries before and after the run (n8n's deduplication data for this node). */
	syncState?: IDataObject;
	/** A dry run: nothing was written; `plan` counts what the real run would do, `planFile` lists it. */
	dryRun?: boolean;
	plan?: IDataObject;
	planFile?: { property: string; fileName: string; rows: number };
	error?: string;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

/** How a rejection reason reads after a count: "3 refused by Campaign Monitor". */
function reasonPhrase(reason: string, count: number, serviceName: string): string {
	switch (reason) {
		case 'missing_email':
			return `${plural(count, 'without an e-mail address', 'without an e-mail address')}`;
		case 'invalid_email':
			return `${plural(count, 'invalid address', 'invalid addresses')}`;
		case 'field_too_long':
			return `${plural(count, 'with a value too long', 'with a value too long')} for ${serviceName} (Options → Long Values → Truncate keeps them)`;
		case 'rejected_by_destination':
			return `${count.toLocaleString('en-US')} refused by ${serviceName}`;
		case 'unsubscribed':
			return `${count.toLocaleString('en-US')} unsubscribed at ${serviceName}`;
		default:
			return `${count.toLocaleString('en-US')} ${reason.replace(/_/g, ' ')}`;
	}
}

/** Segment Source's part of the message: "Segment Source: 5 rows → 2 members (1 merged duplicate, 2 invalid)". */
function sourcePhrase(source: SourceAccounting): string {
	const details = [
		source.merged ? plural(source.merged, 'merged duplicate') : '',
		source.invalid ? `${source.invalid.toLocaleString('en-US')} invalid` : '',
		source.notInAnySegment ? `${source.notInAnySegment.toLocaleString('en-US')} in no segment` : '',
	].filter(Boolean);
	return `Segment Source: ${plural(source.rows, 'row')} → ${plural(source.members, 'member')}${details.length ? ` (${details.join(', ')})` : ''}`;
}

/**
 * The Summary's one-line `message`: "Exported 260 of 266 to Campaign Monitor list Newsletter; 6
 * rejected: 3 with a value too long for Campaign Monitor, 3 refused by Campaign Monitor".
 */
export function summaryMessage(summary: ExportSummary, where: string, serviceName: string): string {
	const parts: string[] = [];
	const plan = summary.dryRun ? summary.plan : undefined;
	if (plan) {
		const count = (key: string) => (typeof plan[key] === 'number' ? (plan[key] as number) : 0);
		const sent = count('new') + count('changed') + count('resent');
		parts.push(
			`Dry run, nothing written: would send ${sent.toLocaleString('en-US')} of ${summary.received.toLocaleString('en-US')} to ${where} (${count('new').toLocaleString('en-US')} new, ${count('changed').toLocaleString('en-US')} changed` +
				(count('resent') ? `, ${count('resent').toLocaleString('en-US')} unchanged sent again` : '') +
				`), leave ${(count('unchanged') - count('resent')).toLocaleString('en-US')} unchanged` +
				(summary.syncMode === 'mirror' ? `, remove ${plural(count('remove'), 'contact')} that left` + (count('removeTags') ? ` and ${plural(count('removeTags'), 'stale segment tag')}` : '') : '') +
				(summary.planFile ? `; the plan is in file ${summary.planFile.fileName} on this item (binary "${summary.planFile.property}")` : '') +
				(summary.syncState?.putBack === 'trimmed' ? '; the sync state could not be put back exactly (many new keys): contacts not in this input will be sent once more' : ''),
		);
	} else if (summary.received === 0) parts.push(`Nothing to export to ${where}: no members came in`);
	else parts.push(`Exported ${summary.exported.toLocaleString('en-US')} of ${summary.received.toLocaleString('en-US')} to ${where}`);
	if (summary.removed || summary.notRemoved || summary.removalsUnconfirmed) {
		const notes = [
			summary.notRemoved ? `${summary.notRemoved.toLocaleString('en-US')} could not be removed: tried again next run` : '',
			summary.removalsUnconfirmed ? `${summary.removalsUnconfirmed.toLocaleString('en-US')} not confirmed removed: sent again if they come back` : '',
		].filter(Boolean);
		parts.push(`removed ${plural(summary.removed, 'contact')} that left the segment${notes.length ? ` (${notes.join('; ')})` : ''}`);
	}
	if (summary.staleTagsRemoved) parts.push(`${plural(summary.staleTagsRemoved, 'stale segment tag')} removed`);
	if (summary.rejected) {
		const reasons = Object.entries(summary.rejectedByReason)
			.sort((a, b) => b[1] - a[1])
			.map(([reason, count]) => reasonPhrase(reason, count, serviceName));
		parts.push(`${summary.rejected.toLocaleString('en-US')} rejected: ${reasons.join(', ')}`);
	}
	// Skipped = duplicates + unchanged (+ in a dry run, the contacts it plans to send).
	const planned = plan ? ['new', 'changed', 'resent'].reduce((sum, key) => sum + (typeof plan[key] === 'number' ? (plan[key] as number) : 0), 0) : 0;
	const duplicates = summary.skipped - summary.unchanged - planned;
	if (summary.unchanged && !plan) parts.push(`${summary.unchanged.toLocaleString('en-US')} unchanged since the last run, skipped`);
	if (duplicates) parts.push(`${plural(duplicates, 'duplicate')} skipped`);
	if (summary.notSent) {
		parts.push(
			`${summary.notSent.toLocaleString('en-US')} not sent` +
				(summary.unconfirmed ? ` (${summary.unconfirmed.toLocaleString('en-US')} unconfirmed: they may have arrived; re-running is safe)` : ''),
		);
	}
	if (summary.rejectedInFile && summary.rejectedFile) {
		const listed = summary.rejected + summary.skipped + summary.notSent - summary.rejectedInFile;
		parts.push(
			`${summary.rejectedInFile.toLocaleString('en-US')} of the contacts not exported are in file ${summary.rejectedFile.fileName} on this item (binary "${summary.rejectedFile.property}")` +
				(listed ? `, the first ${listed.toLocaleString('en-US')} on the Rejected output` : ''),
		);
	}
	if (summary.truncatedValues) parts.push(`${plural(summary.truncatedValues, 'value')} truncated`);
	if (summary.error) parts.push(`stopped: ${summary.error}`);
	if (summary.segmentSource) parts.push(sourcePhrase(summary.segmentSource));
	return parts.join('; ');
}

const isRecord = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Segment Source's accounting from the input items (summed when several came in), or undefined. */
export function sourceAccountingOf(items: INodeExecutionData[]): SourceAccounting | undefined {
	let total: SourceAccounting | undefined;
	for (const { json } of items) {
		if (json[SOURCE_ACCOUNTING_MARKER] !== true || !isRecord(json.accounting)) continue;
		const one = json.accounting;
		total ??= { rows: 0, members: 0, merged: 0, invalid: 0, notInAnySegment: 0, perSegment: {}, invalidByReason: {}, invalidRows: [] };
		total.rows += count(one.rows);
		total.members += count(one.members);
		total.merged += count(one.merged);
		total.invalid += count(one.invalid);
		total.notInAnySegment += count(one.notInAnySegment);
		for (const key of ['perSegment', 'invalidByReason'] as const) {
			const counts = one[key];
			if (isRecord(counts)) for (const [name, value] of Object.entries(counts)) total[key][name] = (total[key][name] ?? 0) + count(value);
		}
		if (Array.isArray(one.invalidRows)) {
			for (const row of one.invalidRows) if (total.invalidRows.length < MAX_LISTED_INVALID_ROWS && isRecord(row)) total.invalidRows.push(row as SourceAccounting['invalidRows'][number]);
		}
	}
	return total;
}

/** Where a contact was in the run when it was dropped: its batch (from 0) and the service's job. */
export interface DropOrigin {
	batch: number;
	job?: string;
}

/**
 * Counts every contact's fate as it is decided, and keeps the Rejected items: the first
 * `maxRejectedItems` as items, the rest as rows of the Rejected file. Each contact is counted exactly
 * once, so `received = exported + rejected + skipped + notSent` holds by construction.
 */
export class Ledger {
	/** @param maxRejectedItems contacts listed as Rejected items before the rest go to the file (Infinity: all as items). */
	/** @param keepRows false for a pass that only counts (Sync Modes' diff pass): no items, no file. */
	constructor(
		readonly maxRejectedItems = Number.POSITIVE_INFINITY,
		private readonly keepRows = true,
	) {}

	received = 0;

	exported = 0;

	rejected = 0;

	skipped = 0;

	notSent = 0;

	/** Part of notSent. */
	unconfirmed = 0;

	/** Part of skipped: unchanged since the last run that confirmed them (Sync Modes). */
	unchanged = 0;

	/** Part of skipped: a dry run's contacts, which it only plans for. */
	planned = 0;

	created: number | null = 0;

	updated: number | null = 0;

	truncatedValues = 0;

	readonly fieldsOmitted: Record<string, number> = {};

	readonly rejectedItems: INodeExecutionData[] = [];

	/** Rejected contacts by reason (skipped duplicates and not-sent contacts have their own counts). */
	readonly rejectedByReason: Record<string, number> = {};

	/** The contacts beyond `maxRejectedItems`; created with the first of them. */
	rejectedFile?: RejectedFile;

	/** Records a contact that will not be exported. `itemIndex` pairs it with its input item. */
	drop(email: string | null, reason: RejectionReason, message: string, itemIndex: number, origin?: DropOrigin): void {
		if (reason === 'duplicate') this.skipped++;
		else if (reason === 'not_sent') this.notSent++;
		else if (reason === 'unconfirmed') {
			this.notSent++;
			this.unconfirmed++;
		}
		else {
			this.rejected++;
			this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
		}
		if (!this.keepRows) return;
		if (this.rejectedItems.length < this.maxRejectedItems) {
			this.rejectedItems.push({ json: { email, reason, message }, pairedItem: { item: itemIndex } });
			return;
		}
		this.rejectedFile ??= new RejectedFile();
		this.rejectedFile.add({ email, reason, message, inputItem: itemIndex, batch: origin ? origin.batch + 1 : undefined, job: origin?.job });
	}

	/**
	 * Records a contact skipped for the whole run's one reason (unchanged, or a dry run): counted, not
	 * listed, so that a re-run of a million unchanged contacts does not list a million rows.
	 */
	skipQuietly(kind: 'unchanged' | 'planned'): void {
		this.skipped++;
		this[kind]++;
	}

	/** Records contacts the service took. Unknown created/updated counts make the totals unknown. */
	accept(count: number, created: number | null, updated: number | null): void {
		this.exported += count;
		this.created = created === null || this.created === null ? null : this.created + created;
		this.updated = updated === null || this.updated === null ? null : this.updated + updated;
	}
}
