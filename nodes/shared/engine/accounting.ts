import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { RejectionReason } from '../contact';

export type LongValuePolicy = 'reject' | 'truncate';

/** The Summary item's fields (contract: keep stable, add only). */
export interface ExportSummary extends IDataObject {
	destination: string;
	target: string;
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
	requestsByPurpose: { discovery: number; import: number; 'import-single': number; poll: number; isolate: number };
	error?: string;
}

/**
 * Counts every contact's fate as it is decided, and keeps the Rejected items. Each contact is
 * counted exactly once, so `received = exported + rejected + skipped + notSent` holds by construction.
 */
export class Ledger {
	received = 0;

	exported = 0;

	rejected = 0;

	skipped = 0;

	notSent = 0;

	/** Part of notSent. */
	unconfirmed = 0;

	created: number | null = 0;

	updated: number | null = 0;

	truncatedValues = 0;

	readonly fieldsOmitted: Record<string, number> = {};

	readonly rejectedItems: INodeExecutionData[] = [];

	/** Records a contact that will not be exported. `itemIndex` pairs it with its input item. */
	drop(email: string | null, reason: RejectionReason, message: string, itemIndex: number): void {
		if (reason === 'duplicate') this.skipped++;
		else if (reason === 'not_sent') this.notSent++;
		else if (reason === 'unconfirmed') {
			this.notSent++;
			this.unconfirmed++;
		}
		else this.rejected++;
		this.rejectedItems.push({ json: { email, reason, message }, pairedItem: { item: itemIndex } });
	}

	/** Records contacts the service took. Unknown created/updated counts make the totals unknown. */
	accept(count: number, created: number | null, updated: number | null): void {
		this.exported += count;
		this.created = created === null || this.created === null ? null : this.created + created;
		this.updated = updated === null || this.updated === null ? null : this.updated + updated;
	}
}
