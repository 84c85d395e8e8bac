import type { IDataObject } from 'n8n-workflow';

import { checkEmail } from '../shared/contact';
import type { FieldNames } from './profileFields';
import { PROFILE_FIELDS } from './profileFields';

export interface SourceRow {
	record: IDataObject;
	/** Input item the row came from (0 for rows not from items). */
	itemIndex: number;
}

export interface InvalidRow {
	row: number;
	itemIndex: number;
	reason: 'missing_email' | 'invalid_email';
	message: string;
	record: IDataObject;
}

export interface UnifiedProfile {
	email: string;
	/** The merged row, with the input's field names. */
	record: IDataObject;
	itemIndexes: number[];
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * Groups rows by normalised e-mail and merges each group into one profile: the first row gives the
 * base, later rows fill only the fields it left empty (first non-empty value wins).
 */
export function unifyProfiles(rows: SourceRow[], fields: FieldNames): { profiles: UnifiedProfile[]; invalid: InvalidRow[]; merged: number } {
	const byEmail = new Map<string, UnifiedProfile>();
	const invalid: InvalidRow[] = [];
	let merged = 0;
	for (let index = 0; index < rows.length; index++) {
		const { record, itemIndex } = rows[index];
		const check = checkEmail(record[fields.email], fields.email);
		if (!check.ok) {
			invalid.push({ row: index + 1, itemIndex, reason: check.reason, message: `Row ${index + 1}: ${check.message}`, record });
			continue;
		}
		const existing = byEmail.get(check.email);
		if (!existing) {
			byEmail.set(check.email, { email: check.email, record: { ...record }, itemIndexes: [itemIndex] });
			continue;
		}
		merged++;
		if (existing.itemIndexes[existing.itemIndexes.length - 1] !== itemIndex) existing.itemIndexes.push(itemIndex);
		for (const key of Object.keys(record)) {
			if (isEmpty(existing.record[key]) && !isEmpty(record[key])) existing.record[key] = record[key];
		}
	}
	return { profiles: [...byEmail.values()], invalid, merged };
}

/** The member as output: contract fields first (empty string when unknown), then every other attribute. */
export function toMember(profile: UnifiedProfile, fields: FieldNames): IDataObject {
	const member: IDataObject = { email: profile.email };
	const mapped = new Set<string>(Object.values(fields));
	for (const field of PROFILE_FIELDS) {
		if (field === 'email') continue;
		const value = profile.record[fields[field]];
		member[field] = isEmpty(value) ? '' : typeof value === 'string' ? value.trim() : value;
	}
	member.segments = [];
	for (const [key, value] of Object.entries(profile.record)) {
		if (!mapped.has(key) && !(key in member)) member[key] = value;
	}
	return member;
}
