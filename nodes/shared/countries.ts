import countries from 'i18n-iso-countries/index';
import de from 'i18n-iso-countries/langs/de.json';
import en from 'i18n-iso-countries/langs/en.json';
import es from 'i18n-iso-countries/langs/es.json';
import fi from 'i18n-iso-countries/langs/fi.json';
import fr from 'i18n-iso-countries/langs/fr.json';
import it from 'i18n-iso-countries/langs/it.json';
import lt from 'i18n-iso-countries/langs/lt.json';
import nl from 'i18n-iso-countries/langs/nl.json';
import pl from 'i18n-iso-countries/langs/pl.json';
import sv from 'i18n-iso-countries/langs/sv.json';

import { fieldNameKey } from './mapping';

/**
 * Country names come from i18n-iso-countries (bundled at build). The languages shipped, in the order
 * they win when one name means two countries: English first, then the languages of our users'
 * documentation (German, Finnish, Lithuanian), then the other large EU languages. Each costs ~6 kB.
 */
export const COUNTRY_NAME_LANGUAGES = [en, de, fi, lt, fr, es, it, nl, pl, sv];

// Names people write that none of the shipped languages lists: parts of a country, short and older
// names, and native names in languages not shipped.
const ALIASES: Record<string, string[]> = {
	BQ: ['Caribbean Netherlands'],
	CC: ['Cocos Islands'],
	CD: ['DR Congo'],
	FK: ['Falkland Islands'],
	GB: ['Britain', 'England', 'Scotland', 'Wales', 'Northern Ireland'],
	GR: ['Hellas'],
	HR: ['Hrvatska'],
	HU: ['Magyarország'],
	IE: ['Éire'],
	KR: ['Korea'],
	MK: ['Macedonia'],
	NL: ['Holland'],
	NZ: ['Aotearoa'],
	TL: ['East Timor'],
	US: ['America'],
	VA: ['Vatican City', 'Holy See'],
	VG: ['British Virgin Islands'],
	VI: ['U.S. Virgin Islands'],
};

/** Compares names loosely: case, accents, spaces and punctuation do not matter ("Österreich" = "osterreich"). */
function nameKey(name: string): string {
	return fieldNameKey(name.normalize('NFD').replace(/[\u0300-\u036f]/g, ''));
}

let byName: Map<string, string> | undefined;

/** Built on first use: a node that never maps countries does not pay for it. */
function namesToCodes(): Map<string, string> {
	if (byName) return byName;
	byName = new Map();
	for (const language of COUNTRY_NAME_LANGUAGES) {
		countries.registerLocale(language);
		for (const [code, names] of Object.entries(countries.getNames(language.locale, { select: 'all' }))) {
			for (const name of names) if (!byName.has(nameKey(name))) byName.set(nameKey(name), code);
		}
	}
	for (const [code, names] of Object.entries(ALIASES)) for (const name of names) if (!byName.has(nameKey(name))) byName.set(nameKey(name), code);
	return byName;
}

// Exports repeat a handful of countries a million times: remember the answers, up to a bound.
const MAX_REMEMBERED = 10_000;
const remembered = new Map<string, string | undefined>();

/** The ISO 3166-1 alpha-2 code for a country name or code ("Germany", "Lietuva", "de", "DEU"), if known. */
export function countryCode(value: string | undefined): string | undefined {
	if (!value) return undefined;
	if (remembered.has(value)) return remembered.get(value);
	const trimmed = value.trim();
	let code: string | undefined;
	if (/^[A-Za-z]{2}$/.test(trimmed)) code = countries.isValid(trimmed.toUpperCase()) ? trimmed.toUpperCase() : undefined;
	if (!code) code = namesToCodes().get(nameKey(trimmed));
	if (!code && /^[A-Za-z]{3}$/.test(trimmed)) code = countries.alpha3ToAlpha2(trimmed.toUpperCase());
	if (remembered.size < MAX_REMEMBERED) remembered.set(value, code);
	return code;
}
