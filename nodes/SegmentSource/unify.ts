import type { IDataObject } from 'n8n-workflow';

import { checkEmail } from '../shared/contact';
import { countryCode } from '../shared/countries';
import { toE164 } from './normalise';
import { ownValue, setField } from './ownFields';
import type { FieldNames } from './profileFields';
import { PROFILE_FIELDS } from './profileFields';

export interface SourceRow {
	/** Undefined when the row could not be read (then `problem` says why). */
	record?: IDataObject;
	/** Input item the row came from (0 for rows not from items). */
	itemIndex: number;
	/** Row number shown to people: item number, line in the file, or place in the sample (1-based). */
	row: number;
	problem?: string;
}

export interface InvalidRow {
	row: number;
	itemIndex: number;
	reason: 'missing_email' | 'invalid_email' | 'invalid_field' | 'unreadable_row';
	message: string;
	record?: IDataObject;
}

export interface UnifiedProfile {
	email: string;
	/** The merged row, with the input's field names. Shared with the input until a merge changes it. */
	record: IDataObject;
	/** Whether `record` is our own copy (safe to change) rather than the input's object. */
	owned: boolean;
	itemIndexes: number[];
	/** Timestamp of the row that gave the base values (most-recent rule). */
	stamp: number;
}

export type MergeRule = 'firstNonEmpty' | 'mostRecent';

export interface UnifyOptions {
	mergeRule: MergeRule;
	timestampField?: string;
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function stampOf(record: IDataObject, field: string | undefined): number {
	if (!field) return -Infinity;
	const value = ownValue(record, field);
	const time = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
	return Number.isNaN(time) ? -Infinity : time;
}

/** Fills the fields `target` leaves empty from `source`. */
function fillGaps(target: IDataObject, source: IDataObject): void {
	for (const key of Object.keys(source)) {
		if (isEmpty(ownValue(target, key)) && !isEmpty(source[key])) setField(target, key, source[key]);
	}
}

/**
 * Groups rows by normalised e-mail and merges each group into one profile. First non-empty: the
 * first row gives the base and later rows fill only what it left empty. Most recent: the row with the
 * latest timestamp gives the base, older rows fill what it left empty (rows without a readable
 * timestamp count as oldest, in input order).
 */
/**
 * The first standard field (other than e-mail) holding an object or a list. Members' standard fields are
 * text: such a row goes to Invalid rather than sending "[object Object]" or losing the value.
 */
function structuredField(record: IDataObject, fields: FieldNames): { field: string; kind: string } | undefined {
	for (const field of PROFILE_FIELDS) {
		if (field === 'email') continue;
		const value = ownValue(record, fields[field]);
		if (value !== null && typeof value === 'object') return { field: fields[field], kind: Array.isArray(value) ? 'a list' : 'an object' };
	}
	return undefined;
}

/** A valid row's normalised e-mail and record, or why the row is invalid. */
export function checkRow(source: SourceRow, fields: FieldNames): { invalid: InvalidRow } | { email: string; record: IDataObject } {
	const { record, itemIndex, row, problem } = source;
	if (!record) return { invalid: { row, itemIndex, reason: 'unreadable_row', message: problem ?? `Row ${row} could not be read` } };
	const check = checkEmail(ownValue(record, fields.email), fields.email);
	if (!check.ok) return { invalid: { row, itemIndex, reason: check.reason, message: `Row ${row}: ${check.message}`, record } };
	const structured = structuredField(record, fields);
	if (structured) return { invalid: { row, itemIndex, reason: 'invalid_field', message: `Row ${row}: Field "${structured.field}" holds ${structured.kind}, not text`, record } };
	return { email: check.email, record };
}

/** Profiles by normalised e-mail, each row merged into its e-mail's profile by the merge rule as it comes. */
export class ProfileMerger {
	readonly byEmail = new Map<string, UnifiedProfile>();
	/** Rows folded into an earlier row with the same e-mail. */
	merged = 0;
	private readonly recent: boolean;

	constructor(private readonly options: UnifyOptions) {
		this.recent = options.mergeRule === 'mostRecent';
	}

	/** A profile of one row, as the merger starts one. */
	single(email: string, record: IDataObject, itemIndex: number): UnifiedProfile {
		return { email, record, owned: false, itemIndexes: [itemIndex], stamp: this.recent ? stampOf(record, this.options.timestampField) : -Infinity };
	}

	add(email: string, record: IDataObject, itemIndex: number): void {
		const existing = this.byEmail.get(email);
		if (!existing) {
			this.byEmail.set(email, this.single(email, record, itemIndex));
			return;
		}
		const stamp = this.recent ? stampOf(record, this.options.timestampField) : -Infinity;
		this.merged++;
		if (existing.itemIndexes[existing.itemIndexes.length - 1] !== itemIndex) existing.itemIndexes.push(itemIndex);
		if (this.recent && stamp > existing.stamp) {
			const base = { ...record };
			fillGaps(base, existing.record);
			existing.record = base;
			existing.owned = true;
			existing.stamp = stamp;
		} else {
			if (!existing.owned) {
				existing.record = { ...existing.record };
				existing.owned = true;
			}
			fillGaps(existing.record, record);
		}
	}
}

export function unifyProfiles(rows: Iterable<SourceRow>, fields: FieldNames, options: UnifyOptions): { profiles: UnifiedProfile[]; invalid: InvalidRow[]; merged: number } {
	const merger = new ProfileMerger(options);
	const invalid: InvalidRow[] = [];
	for (const row of rows) {
		const checked = checkRow(row, fields);
		if ('invalid' in checked) invalid.push(checked.invalid);
		else merger.add(checked.email, checked.record, row.itemIndex);
	}
	return { profiles: [...merger.byEmail.values()], invalid, merged: merger.merged };
}

export interface MemberOptions {
	normalisePhone: boolean;
	defaultCountry?: string;
	countryCodes: boolean;
}

/** A standard field as text: strings trimmed, numbers and booleans written out, nothing as "". */
function asText(value: unknown): string {
	if (typeof value === 'string') return value.trim();
	if (value === undefined || value === null) return '';
	return String(value);
}

/** The member as output: contract fields first (empty string when unknown), then every other attribute. */
export function toMember(profile: UnifiedProfile, fields: FieldNames, mapped: Set<string>, options: MemberOptions, counts: { phonesNotNormalised: number; countriesNotRecognised: number }): IDataObject {
	const member: IDataObject = { email: profile.email };
	const { record } = profile;
	for (const field of PROFILE_FIELDS) {
		if (field === 'email') continue;
		member[field] = asText(ownValue(record, fields[field]));
	}
	if (options.normalisePhone && member.phone !== '') {
		// A number keeps its type here: toE164 knows a number cannot have kept its "+" or trunk "0".
		const raw = ownValue(record, fields.phone);
		const phone = toE164(typeof raw === 'number' ? raw : String(member.phone), String(member.country), options.defaultCountry);
		if (phone) member.phone = phone;
		else counts.phonesNotNormalised++;
	}
	if (options.countryCodes && member.country !== '') {
		const code = countryCode(String(member.country));
		if (code) member.country = code;
		else counts.countriesNotRecognised++;
	}
	member.segments = [];
	for (const key of Object.keys(record)) {
		if (!mapped.has(key) && !Object.hasOwn(member, key)) setField(member, key, record[key]);
	}
	return member;
}
