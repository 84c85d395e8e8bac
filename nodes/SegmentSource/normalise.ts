import type { CountryCode } from 'libphonenumber-js/min';
import { getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';

import { countryCode } from '../shared/countries';

// libphonenumber-js with its "min" metadata (bundled at build, ~80 kB of the Segment Source file):
// every country's calling code, trunk prefix, international prefix and number lengths. It validates
// by length, not by number range, which is what an export needs: turning what people typed into the
// E.164 form the services ask for, and leaving alone what cannot be one.

/** The ITU-recommended international prefix, read as "+" when no country says otherwise. */
const INTERNATIONAL_00 = /^\s*00/;

function parsed(text: string, country: CountryCode | undefined): string | undefined {
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
