import examples from 'libphonenumber-js/examples.mobile.json';
import type { CountryCode } from 'libphonenumber-js/min';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';

import { fastE164 } from '../../../nodes/SegmentSource/normalise';

// toE164's fast path must answer exactly what libphonenumber-js answers, or step aside (null). Compared
// here on every country of the "min" metadata: its example mobile number written the ways people write
// it (national, trunk prefix, "00", "+", calling code without "+", a digit short or long, formatted),
// random digit strings, and each with no country, its own, and countries of shared calling codes.

function library(text: string, country: string | undefined): string | undefined {
	const phone = parsePhoneNumberFromString(text, country ? { defaultCountry: country as CountryCode } : undefined);
	return phone?.isValid() ? phone.number : undefined;
}

let seed = 20261128;
function random(below: number): number {
	seed = (seed * 1103515245 + 12345) % 2147483648;
	return seed % below;
}

function digits(length: number): string {
	let text = '';
	for (let index = 0; index < length; index++) text += String(random(10));
	return text;
}

/** The digits grouped as people do: spaces, dashes, dots, slashes, brackets around the first group. */
function formatted(text: string): string {
	const separators = [' ', '-', '.', '/', ' - '];
	const separator = separators[random(separators.length)];
	const parts = text.match(/.{1,3}/g) ?? [text];
	const joined = parts.join(separator);
	return random(4) === 0 && parts.length > 1 ? `(${parts[0]}) ${parts.slice(1).join(separator)}` : joined;
}

function inputs(country: CountryCode): string[] {
	const national = (examples as Record<string, string>)[country] ?? digits(9);
	const calling = getCountryCallingCode(country);
	const shorter = national.slice(0, -1);
	const longer = national + String(random(10));
	const list = [national, `0${national}`, `8${national}`, `1${national}`, `00${calling}${national}`, `011${calling}${national}`, `+${calling}${national}`, `+${calling}0${national}`, `${calling}${national}`, `+${calling}${shorter}`, `+${calling}${longer}`, shorter, longer, `0${shorter}`, `0${longer}`];
	for (let index = 0; index < 6; index++) list.push(digits(3 + random(14)), `+${digits(4 + random(14))}`, `0${digits(5 + random(10))}`);
	return [...list, ...list.map(formatted)];
}

test('the fast path answers what libphonenumber-js answers, for every country of the metadata', () => {
	const countries = getCountries();
	let answered = 0;
	let compared = 0;
	const differences: string[] = [];
	for (const country of countries) {
		for (const text of inputs(country)) {
			for (const hint of [undefined, country, 'DE', 'US', 'GB', 'IT', 'FI', 'RU', countries[random(countries.length)]]) {
				compared++;
				const fast = fastE164(text, hint);
				if (fast === null) continue;
				answered++;
				const expected = library(text, hint);
				if (fast !== expected) differences.push(`${JSON.stringify(text)} ${hint}: fast ${fast}, library ${expected}`);
			}
		}
	}
	expect(differences.slice(0, 20)).toEqual([]);
	// Most of what is compared goes the fast way (else this test would prove little, and save little).
	expect(answered / compared).toBeGreaterThan(0.6);
});

test('what the fast path leaves to the library', () => {
	expect(fastE164('+49 151 23456789 ext. 12', 'DE')).toBeNull();
	expect(fastE164('0049 151 23456789', 'DE')).toBeNull();
	expect(fastE164('49 151 23456789', 'DE')).toBeNull();
	expect(fastE164('12', 'DE')).toBeNull();
	expect(fastE164('0151 23456789', undefined)).toBeNull();
	expect(fastE164('0151 23456789', 'DE')).toBe('+4915123456789');
	expect(fastE164('+1 201 555 0123', undefined)).toBe('+12015550123');
});
