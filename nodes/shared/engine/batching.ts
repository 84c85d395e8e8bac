/** Contacts ready to send, kept in parallel arrays: a million contacts stay a few flat arrays. */
export interface PreparedContacts {
	emails: string[];
	/** Each contact's wire form, serialized once. */
	json: string[];
	/** UTF-8 size of each `json` entry. */
	bytes: number[];
	/** Input item each contact came from. */
	itemIndex: number[];
}

export interface Batch {
	/** Position of the batch, from 0. */
	index: number;
	/** First contact (inclusive) and last (exclusive) in PreparedContacts. */
	start: number;
	end: number;
}

/**
 * Splits contacts into consecutive batches that respect both the count limit and the byte limit.
 * `envelopeBytes` is the size of the request without contacts; contacts are joined by one comma each.
 */
export function planBatches(contacts: PreparedContacts, maxCount: number, maxBytes: number, envelopeBytes: number): Batch[] {
	const batches: Batch[] = [];
	const total = contacts.json.length;
	let start = 0;
	while (start < total) {
		let end = start;
		let size = envelopeBytes;
		while (end < total && end - start < maxCount) {
			const added = contacts.bytes[end] + (end > start ? 1 : 0);
			if (size + added >= maxBytes) break;
			size += added;
			end++;
		}
		// Contacts larger than a whole request are refused before planning, so every batch holds one at least.
		if (end === start) end = start + 1;
		batches.push({ index: batches.length, start, end });
		start = end;
	}
	return batches;
}
