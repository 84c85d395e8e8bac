import { countryCode } from '../../../nodes/shared/countries';
import { toE164 } from '../../../nodes/SegmentSource/normalise';

// What the bundled libraries give Segment Source: phones as libphonenumber-js normalises them, country
// names in the languages shipped with i18n-iso-countries.

/**
 * One mobile (or geographic) number per country: as dialled at home with the trunk prefix (null where
 * the country has none), without it, with "00" and with "+", and its E.164 form.
 */
const PHONES: Array<[country: string, withTrunk: string | null, national: string, callingCode: string, e164: string]> = [
	['DE', '0151 23456789', '151 23456789', '49', '+4915123456789'],
	['FR', '06 12 34 56 78', '6 12 34 56 78', '33', '+33612345678'],
	['GB', '07400 123456', '7400 123456', '44', '+447400123456'],
	['US', '1 (201) 555-0123', '(201) 555-0123', '1', '+12015550123'],
	['CA', '1-416-555-0123', '416 555 0123', '1', '+14165550123'],
	['IT', null, '312 345 6789', '39', '+393123456789'],
	['ES', null, '612 34 56 78', '34', '+34612345678'],
	['PT', null, '912 345 678', '351', '+351912345678'],
	['NL', '06 12345678', '6 12345678', '31', '+31612345678'],
	['BE', '0470 12 34 56', '470 12 34 56', '32', '+32470123456'],
	['AT', '0664 1234567', '664 1234567', '43', '+436641234567'],
	['CH', '078 123 45 67', '78 123 45 67', '41', '+41781234567'],
	['FI', '040 1234567', '40 1234567', '358', '+358401234567'],
	['LT', '8 612 34567', '612 34567', '370', '+37061234567'],
	['LV', null, '2123 4567', '371', '+37121234567'],
	['EE', null, '5123 4567', '372', '+37251234567'],
	['SE', '070-123 45 67', '70-123 45 67', '46', '+46701234567'],
	['NO', null, '412 34 567', '47', '+4741234567'],
	['DK', null, '20 12 34 56', '45', '+4520123456'],
	['PL', null, '512 345 678', '48', '+48512345678'],
	['GR', null, '691 234 5678', '30', '+306912345678'],
	['IE', '085 012 3456', '85 012 3456', '353', '+353850123456'],
	['AU', '0412 345 678', '412 345 678', '61', '+61412345678'],
	['JP', '090-1234-5678', '90-1234-5678', '81', '+819012345678'],
	['IN', '098765 43210', '98765 43210', '91', '+919876543210'],
	['MX', null, '55 1234 5678', '52', '+525512345678'],
	['BR', null, '(11) 91234-5678', '55', '+5511912345678'],
];

describe('phones of 27 countries to E.164 (libphonenumber-js)', () => {
	test.each(PHONES)('%s: with and without trunk prefix, with 00 and with +', (country, withTrunk, national, callingCode, e164) => {
		if (withTrunk) expect(toE164(withTrunk, country, undefined)).toBe(e164);
		expect(toE164(national, undefined, country)).toBe(e164);
		// International forms need no country; the profile's own or another default does not change them.
		for (const hint of [undefined, country, 'DE', 'US']) {
			// Dialled in Japan, "00" is not the international prefix (010 is): libphonenumber reads it as national.
			if (!(country === 'JP' && hint === 'JP')) expect([hint, toE164(`00${callingCode} ${national}`, hint, undefined)]).toEqual([hint, e164]);
			expect([hint, toE164(`+${callingCode} ${national}`, hint, undefined)]).toEqual([hint, e164]);
		}
	});

	test('each country\'s own international prefix: 011 from the US, 010 from Japan, 0011 from Australia', () => {
		expect(toE164('011 49 151 23456789', 'US', undefined)).toBe('+4915123456789');
		expect(toE164('010 49 151 23456789', 'JP', undefined)).toBe('+4915123456789');
		expect(toE164('0011 49 151 23456789', 'AU', undefined)).toBe('+4915123456789');
	});

	test('a number too short or too long for its country is not made E.164', () => {
		expect(toE164('06 12 34', 'FR', undefined)).toBeUndefined();
		expect(toE164('0151', 'DE', undefined)).toBeUndefined();
		expect(toE164('+1 201 555 01234', undefined, undefined)).toBeUndefined();
	});

	test('a phone stored as a number: its country code is not added twice', () => {
		expect(toE164(4915123456789, undefined, 'DE')).toBe('+4915123456789');
		expect(toE164(15123456789, undefined, 'DE')).toBe('+4915123456789');
		expect(toE164(12015550123, 'US', undefined)).toBe('+12015550123');
		expect(toE164(2015550123, 'US', undefined)).toBe('+12015550123');
	});
});

describe('country names to ISO codes (i18n-iso-countries: en, de, fi, lt, fr, es, it, nl, pl, sv)', () => {
	test.each([
		['English', ['Germany', 'Finland', 'Lithuania', 'United States', 'United Kingdom', 'Netherlands', 'South Korea', 'Czechia']],
		['German', ['Deutschland', 'Finnland', 'Litauen', 'Vereinigte Staaten', 'Vereinigtes Königreich', 'Niederlande', 'Südkorea', 'Tschechien']],
		['Finnish', ['Saksa', 'Suomi', 'Liettua', 'Yhdysvallat', 'Yhdistynyt kuningaskunta', 'Alankomaat', 'Korean tasavalta', 'Tšekki']],
		['Lithuanian', ['Vokietija', 'Suomija', 'Lietuva', 'Jungtinės Valstijos', 'Jungtinė Karalystė', 'Nyderlandai', 'Pietų Korėja', 'Čekija']],
	])('%s', (_language, names) => {
		expect(names.map((name) => countryCode(name))).toEqual(['DE', 'FI', 'LT', 'US', 'GB', 'NL', 'KR', 'CZ']);
	});

	test('case, accents and spacing do not matter; codes and older names still work', () => {
		expect(['LIETUVA', 'lietuva', 'Lietuva ', 'Jungtines Valstijos', 'suomi', 'Österreich', 'osterreich'].map((name) => countryCode(name))).toEqual(['LT', 'LT', 'LT', 'US', 'FI', 'AT', 'AT']);
		expect(['de', 'DEU', 'USA', 'UK', 'England', 'Holland', 'Atlantis'].map((name) => countryCode(name))).toEqual(['DE', 'DE', 'US', 'GB', 'GB', 'NL', undefined]);
	});
});
