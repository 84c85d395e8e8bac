import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { DestinationAdapter, SerializeContext } from '../adapter';
import { ContactRejection } from '../adapter';
import { checkEmail } from '../contact';
import type { Ledger } from './accounting';
import { isMemberFile, linesOf, memberFileCount, memberFilePart } from './memberFiles';

/** Field Segment Source sets on its batch items, so that exporters never take a profile for a batch. */
export const MEMBER_BATCH_MARKER = 'segmentSourceBatch';

/** One input record and where it came from, for messages and pairing. */
export interface InputRecord {
	record: unknown;
	itemIndex: number;
	/** "item 3", "item 3, member 17" or "file part 2, line 17". */
	where: string;
	/** Why the record could not be read (a line of a member file that is not JSON). */
	problem?: string;
}

/** The bytes of a member file part (item index), streamed from n8n's binary data where it can. */
export type MemberFileReader = (itemIndex: number) => Promise<AsyncIterable<Uint8Array>>;

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether an item is a batch of members (Segment Source's batch output) rather than one profile.
 * Segment Source marks its batches; an unmarked item counts as a batch only when `members` is a
 * list of objects and the item has no e-mail of its own, so a profile with a `members` field is
 * never lost.
 */
export function isMemberBatch(json: IDataObject, emailField: string): boolean {
	const members = json.members;
	if (!Array.isArray(members)) return false;
	if (json[MEMBER_BATCH_MARKER] === true) return true;
	const email = json[emailField];
	const hasEmail = email !== undefined && email !== null && !(typeof email === 'string' && email.trim() === '');
	return !hasEmail && members.every(isPlainObject);
}

/**
 * Records of the input items, members of batch items one by one, and the members of member file
 * parts line by line as `readFile` streams them (read as the batches are formed, never all up front).
 */
export async function* recordsOfItems(items: INodeExecutionData[], emailField: string, readFile?: MemberFileReader): AsyncGenerator<InputRecord> {
	let parts = 0;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		const json = item.json;
		if (isMemberFile(item)) {
			parts++;
			if (!readFile) throw new Error('Member files cannot be read here');
			const part = memberFilePart(json, parts);
			const declared = memberFileCount(json);
			let read = 0;
			for await (const { text, line } of linesOf(await readFile(itemIndex))) {
				// More lines than the part declares would go beyond what the run was checked and counted for.
				if (++read > (declared ?? 0)) throw new Error(`File part ${part} holds more members than the ${declared ?? 0} it declares (line ${line})`);
				const where = `file part ${part}, line ${line}`;
				let record: unknown;
				try {
					record = JSON.parse(text);
				} catch {
					yield { record: undefined, itemIndex, where, problem: `Input ${where} is not a JSON object` };
					continue;
				}
				yield { record, itemIndex, where };
			}
			continue;
		}
		if (!isMemberBatch(json, emailField)) {
			yield { record: json, itemIndex, where: `item ${itemIndex}` };
			continue;
		}
		const members = json.members as unknown[];
		for (let memberIndex = 0; memberIndex < members.length; memberIndex++) {
			yield { record: members[memberIndex], itemIndex, where: `item ${itemIndex}, member ${memberIndex}` };
		}
	}
}

/** Contacts the items hold: member file parts count what their json declares, without reading them. */
export function countRecords(items: INodeExecutionData[], emailField: string): number {
	let count = 0;
	for (const item of items) {
		if (isMemberFile(item)) count += memberFileCount(item.json) ?? 0;
		else count += isMemberBatch(item.json, emailField) ? (item.json.members as unknown[]).length : 1;
	}
	return count;
}

/** One bulk request's contacts, serialized once, in parallel arrays. */
export interface Batch {
	/** Position of the batch, from 0. */
	index: number;
	emails: string[];
	/** Each contact's wire form (emptied once no longer needed, or packed while a job runs). */
	json: string[];
	/** The wire forms, gzipped, while a job that may stop part-way runs (see packedBatch.ts). */
	packed?: Promise<Uint8Array>;
	/** Input item each contact came from. */
	itemIndex: number[];
	/** Positions (into the arrays above) still waiting for an outcome; the rest were rejected. */
	open: number[];
	/** How many times these contacts were sent again because the service stopped their job part-way. */
	resends?: number;
	/** The service's job for this batch, once it took the batch as one. */
	jobId?: string;
	/** Each contact's sync state key (Sync Modes), recorded once the contact is confirmed exported. */
	payloadKeys?: string[];
}

export interface BatchLimits {
	maxCount: number;
	maxBytes: number;
	/** Size of the request without contacts; contacts are joined by one comma each. */
	envelopeBytes: number;
}

/** Why contacts still to come will not be sent, once the run has stopped (undefined while it goes on). */
export type StopReason = () => string | undefined;

/**
 * Sync Modes' say over each valid contact, once serialized: its state key when it goes out, or
 * 'unchanged' (counted as skipped, no row) or 'planned' (a dry run: counted apart, no row).
 * `ordinal` numbers the contacts that passed the address checks, the same in every pass over the
 * same input.
 */
export type ContactAdmission = (email: string, wireForm: string, record: IDataObject, ordinal: number) => string | 'unchanged' | 'planned';

/** Sync Modes' filter: `skip` answers, before a contact is serialized, whether it is known unchanged; `admit` as above. */
export interface ContactFilter {
	skip?(ordinal: number, email: string): boolean;
	admit: ContactAdmission;
}

/**
 * Turns input records into batches that respect both the count and the byte limit, serializing
 * each contact when its batch is formed (never the whole input up front). Invalid and duplicate
 * e-mails and contacts the adapter cannot serialize are set aside in the ledger with a reason.
 */
export async function* batchContacts(
	records: AsyncIterable<InputRecord>,
	adapter: DestinationAdapter,
	serializeContext: SerializeContext,
	ledger: Ledger,
	limits: BatchLimits,
	stopReason: StopReason = () => undefined,
	filter?: ContactFilter,
): AsyncGenerator<Batch> {
	const seen = new Set<string>();
	let ordinal = -1;
	const roomForOne = limits.maxBytes - limits.envelopeBytes - 1;
	let batch: Batch = { index: 0, emails: [], json: [], itemIndex: [], open: [] };
	let size = limits.envelopeBytes;
	for await (const { record, itemIndex, where, problem } of records) {
		if (!isPlainObject(record)) {
			ledger.drop(null, 'missing_email', problem ?? `Input ${where} is not an object`, itemIndex);
			continue;
		}
		const check = checkEmail(record[adapter.emailField], adapter.emailField);
		if (!check.ok) {
			const raw = record[adapter.emailField];
			ledger.drop(typeof raw === 'string' ? raw : null, check.reason, `Input ${where}: ${check.message}`, itemIndex);
			continue;
		}
		const email = check.email;
		if (seen.has(email)) {
			ledger.drop(email, 'duplicate', `Input ${where}: the same e-mail address came earlier in this run`, itemIndex);
			continue;
		}
		seen.add(email);
		ordinal++;
		// Known unchanged (an earlier pass serialized it): counted without serializing it again.
		if (filter?.skip?.(ordinal, email)) {
			ledger.skipQuietly('unchanged');
			continue;
		}
		// After a stop the rest is only accounted: checked and counted, never serialized.
		const stopped = stopReason();
		if (stopped !== undefined) {
			ledger.drop(email, 'not_sent', `Not exported: ${stopped}`, itemIndex);
			continue;
		}
		const json = serializeContact(adapter, record, email, serializeContext);
		if (json instanceof ContactRejection) {
			ledger.drop(email, json.reason, `Input ${where}: ${json.message}`, itemIndex);
			continue;
		}
		const bytes = utf8Length(json);
		if (bytes >= roomForOne) {
			ledger.drop(email, 'field_too_long', `Input ${where}: the contact alone is larger than one ${adapter.serviceName} request allows`, itemIndex);
			continue;
		}
		const admission = filter?.admit(email, json, record, ordinal);
		if (admission === 'unchanged' || admission === 'planned') {
			ledger.skipQuietly(admission);
			continue;
		}
		const added = bytes + (batch.json.length ? 1 : 0);
		if (batch.json.length && (batch.json.length >= limits.maxCount || size + added >= limits.maxBytes)) {
			yield batch;
			batch = { index: batch.index + 1, emails: [], json: [], itemIndex: [], open: [] };
			size = limits.envelopeBytes;
		}
		if (admission !== undefined) (batch.payloadKeys ??= []).push(admission);
		size += bytes + (batch.json.length ? 1 : 0);
		batch.open.push(batch.json.length);
		batch.emails.push(email);
		batch.json.push(json);
		batch.itemIndex.push(itemIndex);
	}
	if (batch.json.length) yield batch;
}

/** A contact's wire form, or why the adapter refused it; anything else the adapter throws goes on up. */
function serializeContact(adapter: DestinationAdapter, record: IDataObject, email: string, context: SerializeContext): string | ContactRejection {
	let unexpected: unknown;
	try {
		return JSON.stringify(adapter.serialize(record, email, context));
	} catch (error) {
		if (error instanceof ContactRejection) return error;
		unexpected = error;
	}
	throw unexpected;
}

/** UTF-8 length of a string without allocating its bytes. */
export function utf8Length(text: string): number {
	let bytes = text.length;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code < 0x80) continue;
		if (code < 0x800) bytes += 1;
		else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
			// A surrogate pair: two UTF-16 units, four bytes.
			bytes += 2;
			index++;
		} else bytes += 2;
	}
	return bytes;
}
