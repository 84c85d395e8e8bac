import { Metadata } from 'libphonenumber-js/core';
import type { CountryCode } from 'libphonenumber-js/min';
import { getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import metadataJson from 'libphonenumber-js/min/metadata';

import { countryCode } from '../shared/countries';

// libphonenumber-js with its "min" metadata (bundled at build, ~80 kB of the Segment Source file):
// every country's calling code, trunk prefix, international prefix and number lengths. It validates
// by length, not by number range, which is what an export needs: turning what people typed into the
// E.164 form the services ask for, and leaving alone what cannot be one.

/** The ITU-recommended international prefix, read as "+" when no country says otherwise. */
const INTERNATIONAL_00 = /^\s*00/;

// A fast path for the common shapes, giving exactly what the library gives (test/nodes/SegmentSource/
// phoneFastPath.test.ts compares the two on every country of the metadata), and the library itself for
// everything else. parsePhoneNumberFromString spends ~6 µs a number: it rebuilds a Metadata object and
// its options several times, and compiles each country's patterns anew on every call (helpers/
// matchesEntirely, extractNationalNumberFromPossiblyIncompleteNumber, stripIddPrefix). Here each
// country's patterns are compiled once, and the number is read in a single pass over its characters.

/** The parts of the library's Metadata and NumberingPlan read here (its typings declare fewer). */
interface LibraryMetadata {
	hasCountry(country: string): boolean;
	hasCallingCode(callingCode: string): boolean;
	getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
	selectNumberingPlan(country: string): void;
	hasTypes(): boolean;
	type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
	numberingPlan: {
		callingCode(): string;
		IDDPrefix(): string;
		leadingDigits(): string | undefined;
		nationalPrefixForParsing(): string | undefined;
		nationalNumberPattern(): string;
		possibleLengths(): number[] | undefined;
	};
}

/** One country's numbering plan, its patterns compiled once. */
interface Plan {
	callingCode: string;
	idd: RegExp;
	leadingDigits: RegExp | undefined;
	nationalPrefix: RegExp | undefined;
	pattern: RegExp;
	lengths: number[] | undefined;
	/** Where the metadata has number types (shared calling codes: +1, +39, +44…), validity is "of some type". */
	types: Array<{ pattern: RegExp; lengths: number[] | undefined }> | undefined;
	/** The countries of its calling code, in the metadata's order (the first is the main one). */
	group: Plan[];
}

// The library's getNumberType, in its order (a fixed-line match settles it).
const NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

const metadata = new Metadata(metadataJson) as unknown as LibraryMetadata;
const plans = new Map<string, Plan>();

function planFor(country: string): Plan {
	const known = plans.get(country);
	if (known) return known;
	metadata.selectNumberingPlan(country);
	const numbering = metadata.numberingPlan;
	const prefix = numbering.nationalPrefixForParsing();
	const leadingDigits = numbering.leadingDigits();
	const lengths = numbering.possibleLengths();
	let types: Plan['types'];
	if (metadata.hasTypes()) {
		types = [];
		for (const name of NUMBER_TYPES) {
			const type = metadata.type(name);
			if (type && type.pattern()) types.push({ pattern: new RegExp(`^(?:${type.pattern()})$`), lengths: type.possibleLengths() });
		}
	}
	const plan: Plan = {
		callingCode: numbering.callingCode(),
		idd: new RegExp(`^(?:${numbering.IDDPrefix()})`),
		leadingDigits: leadingDigits ? new RegExp(`^(?:${leadingDigits})`) : undefined,
		nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
		pattern: new RegExp(`^(?:${numbering.nationalNumberPattern()})$`),
		lengths,
		types,
		group: [],
	};
	plans.set(country, plan);
	plan.group = (metadata.getCountryCodesForCallingCode(plan.callingCode) ?? [country]).map((member) => (member === country ? plan : planFor(member)));
	return plan;
}

/** The library's getNumberType(…) !== undefined. */
function hasType(plan: Plan, national: string): boolean {
	if (!plan.types || !plan.pattern.test(national)) return false;
	for (const type of plan.types) if ((!type.lengths || type.lengths.includes(national.length)) && type.pattern.test(national)) return true;
	return false;
}

/** The library's isValid() with "min" metadata. */
function isValid(plan: Plan, national: string): boolean {
	return plan.types ? hasType(plan, national) : plan.pattern.test(national);
}

/** The library's getCountryByCallingCode: the one country, else the first whose leading digits or number types match. */
function countryOf(plan: Plan, national: string): Plan | undefined {
	if (plan.group.length === 1) return plan.group[0];
	for (const member of plan.group) {
		if (member.leadingDigits ? member.leadingDigits.test(national) : hasType(member, national)) return member;
	}
	return undefined;
}

/** The calling code the library reads after "+" (the shortest known), as its main country; null when it is not a country's. */
function planForCallingCode(digits: string): Plan | null {
	for (let length = 1; length <= 3 && length <= digits.length; length++) {
		const callingCode = digits.slice(0, length);
		if (!metadata.hasCallingCode(callingCode)) continue;
		const countries = metadata.getCountryCodesForCallingCode(callingCode);
		return countries ? planFor(countries[0]) : null;
	}
	return null;
}

/** The library's extractNationalNumber: the national prefix taken off, unless the number reads better with it. */
function nationalNumber(plan: Plan, digits: string): string | null {
	const match = plan.nationalPrefix?.exec(digits);
	if (!match) return digits;
	// Captured groups: carrier codes and transform rules, left to the library.
	if (match.length > 1) return null;
	const stripped = digits.slice(match[0].length);
	if (stripped === digits) return digits;
	if (plan.pattern.test(digits) && !plan.pattern.test(stripped)) return digits;
	if (plan.lengths) {
		// checkNumberLength: TOO_SHORT and INVALID_LENGTH keep the prefix; no lengths at all is "possible".
		const lengths = (countryOf(plan, stripped) ?? plan).lengths;
		const length = stripped.length;
		if (lengths && length < lengths[0]) return digits;
		if (lengths && length !== lengths[0] && length <= lengths[lengths.length - 1] && lengths.indexOf(length, 1) < 0) return digits;
	}
	return stripped;
}

/**
 * The E.164 form when the fast path knows it, undefined when it knows there is none, null when the
 * library must decide: any character other than ASCII digits, spaces, "-", ".", "/", "(", ")" and a
 * leading "+"; fewer than three digits; shared calling codes; an international prefix ("00"), a
 * leading calling code or a national prefix the library may rewrite.
 */
export function fastE164(text: string, country: string | undefined): string | undefined | null {
	if (text.length > 250) return null;
	let digits = '';
	const plus = text.charCodeAt(0) === 43;
	for (let index = plus ? 1 : 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code >= 48 && code <= 57) digits += text[index];
		// space - . / ( )
		else if (code !== 32 && code !== 45 && code !== 46 && code !== 47 && code !== 40 && code !== 41) return null;
	}
	if (digits.length < 3) return null;
	if (country !== undefined && !metadata.hasCountry(country)) return null;
	let plan: Plan | null;
	let national: string | null;
	if (plus) {
		if (digits.charCodeAt(0) === 48) return null;
		plan = planForCallingCode(digits);
		if (!plan) return null;
		national = nationalNumber(plan, digits.slice(plan.callingCode.length));
	} else {
		if (country === undefined) return null;
		plan = planFor(country);
		if (plan.idd.test(digits) || digits.startsWith(plan.callingCode)) return null;
		national = nationalNumber(plan, digits);
	}
	if (national === null) return null;
	if (national.length < 2 || national.length > 17) return undefined;
	return isValid(countryOf(plan, national) ?? plan, national) ? `+${plan.callingCode}${national}` : undefined;
}

function parsed(text: string, country: CountryCode | undefined): string | undefined {
	const fast = fastE164(text, country);
	if (fast !== null) return fast;
	const phone = parsePhoneNumberFromString(text, country ? { defaultCountry: country } : undefined);
	return phone?.isValid() ? phone.number : undefined;
}

/**
 * A phone number in E.164 ("+4915123456789"), using the profile's country, else the default country,
 * for numbers written without "+". Undefined when it cannot be made one (left as it was by the caller).
 *
 * A phone stored as a number has lost any leading "+", "00" or trunk "0" (numbers cannot hold them), so
 * one that starts with its country's calling code is read as international: 4915123456789 with Germany
 * is +4915123456789, not +49 4915123456789.
 */
export function toE164(raw: string | number, country: string | undefined, defaultCountry: string | undefined): string | undefined {
	const code = (countryCode(country) ?? countryCode(defaultCountry)) as CountryCode | undefined;
	if (typeof raw === 'number') {
		if (!Number.isSafeInteger(raw) || raw <= 0) return undefined;
		const digits = String(raw);
		if (code) {
			const calling = getCountryCallingCode(code);
			if (digits.startsWith(calling)) {
				const international = parsed(`+${digits}`, undefined);
				if (international) return international;
			}
		}
		return parsed(digits, code);
	}
	const text = raw.trim();
	if (!text) return undefined;
	const phone = parsed(text, code);
	if (phone || !INTERNATIONAL_00.test(text)) return phone;
	// "00" where the country's own international prefix differs (the US dials 011), or no country known.
	return parsed(text.replace(INTERNATIONAL_00, '+'), undefined);
}
