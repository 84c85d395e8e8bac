import type { IDataObject } from 'n8n-workflow';

import { fieldNameKey } from '../shared/mapping';

/** The member fields every exporter maps by default (contract), in output order. */
export const PROFILE_FIELDS = ['email', 'firstName', 'lastName', 'phone', 'address', 'city', 'state', 'postalCode', 'country'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Names under which the fields are commonly found in exports of CRMs, shops and spreadsheets (compared loosely). */
const ALIASES: Record<ProfileField, string[]> = {
	email: ['email', 'emailaddress', 'mail', 'primaryemail'],
	firstName: ['firstname', 'givenname', 'first', 'forename'],
	lastName: ['lastname', 'surname', 'familyname', 'last'],
	phone: ['phone', 'phonenumber', 'mobile', 'mobilenumber', 'mobilephone', 'cellphone', 'telephone', 'tel'],
	address: ['address', 'street', 'streetaddress', 'address1', 'addressline1'],
	city: ['city', 'town', 'locality'],
	state: ['state', 'region', 'province', 'stateprovince', 'county'],
	postalCode: ['postalcode', 'zip', 'zipcode', 'postcode'],
	country: ['country', 'countryregion', 'countryname'],
};

export type FieldNames = Record<ProfileField, string>;

/**
 * Which input field holds each profile field: the user's choice where given, else the field of that
 * name, else a common alias found among the sample rows' keys.
 */
export function resolveFieldNames(explicit: Partial<Record<ProfileField, string>>, sampleRows: IDataObject[]): FieldNames {
	const keys = new Map<string, string>();
	for (const row of sampleRows) {
		for (const key of Object.keys(row)) if (!keys.has(fieldNameKey(key))) keys.set(fieldNameKey(key), key);
	}
	const names = {} as FieldNames;
	for (const field of PROFILE_FIELDS) {
		const chosen = explicit[field]?.trim();
		if (chosen) {
			names[field] = chosen;
			continue;
		}
		const found = ALIASES[field].map((alias) => keys.get(alias)).find((key) => key !== undefined);
		names[field] = found ?? field;
	}
	return names;
}

/** For files without a header: the column whose values are mostly e-mail addresses. */
export function findEmailColumn(rows: IDataObject[]): string | undefined {
	const hits = new Map<string, number>();
	for (const row of rows) {
		for (const [key, value] of Object.entries(row)) if (typeof value === 'string' && value.includes('@')) hits.set(key, (hits.get(key) ?? 0) + 1);
	}
	let best: string | undefined;
	for (const [key, count] of hits) if (count > rows.length / 2 && (!best || count > hits.get(best)!)) best = key;
	return best;
}
