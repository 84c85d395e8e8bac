import { countryCode } from '../shared/countries';

// Country calling codes (ITU-T E.164 assignments) by ISO 3166-1 alpha-2 code, for the countries most
// exports hold; a number from elsewhere must already be written with its "+".
const CALLING_CODES: Record<string, string> = {
	AE: '971', AR: '54', AT: '43', AU: '61', BE: '32', BG: '359', BR: '55', CA: '1', CH: '41', CL: '56', CN: '86', CO: '57',
	CY: '357', CZ: '420', DE: '49', DK: '45', EE: '372', EG: '20', ES: '34', FI: '358', FR: '33', GB: '44', GR: '30', HK: '852',
	HR: '385', HU: '36', ID: '62', IE: '353', IL: '972', IN: '91', IS: '354', IT: '39', JP: '81', KE: '254', KR: '82', LT: '370',
	LU: '352', LV: '371', MA: '212', MT: '356', MX: '52', MY: '60', NG: '234', NL: '31', NO: '47', NZ: '64', PE: '51', PH: '63',
	PK: '92', PL: '48', PT: '351', RO: '40', RS: '381', RU: '7', SA: '966', SE: '46', SG: '65', SI: '386', SK: '421', TH: '66',
	TR: '90', TW: '886', UA: '380', US: '1', VN: '84', ZA: '27',
};

/** Countries whose national numbers keep their leading 0 after the country code. */
const KEEPS_TRUNK_ZERO = new Set(['IT']);

/**
 * A phone number in E.164 ("+4915123456789"), using the profile's country, else the default country,
 * for numbers written without "+". Undefined when it cannot be made one (left as it was by the caller).
 */
export function toE164(raw: string, country: string | undefined, defaultCountry: string | undefined): string | undefined {
	const trimmed = raw.trim();
	if (!trimmed) return undefined;
	const digits = trimmed.replace(/[^\d]/g, '');
	let international: string | undefined;
	if (trimmed.startsWith('+')) international = digits;
	else if (digits.startsWith('00')) international = digits.slice(2);
	else {
		const code = countryCode(country) ?? countryCode(defaultCountry);
		const calling = code ? CALLING_CODES[code] : undefined;
		if (!calling) return undefined;
		let national = digits;
		if (calling === '1' && national.length === 11 && national.startsWith('1')) national = national.slice(1);
		else if (!KEEPS_TRUNK_ZERO.has(code!) && national.startsWith('0')) national = national.slice(1);
		international = `${calling}${national}`;
	}
	// North American numbers are exactly 10 digits after the 1; elsewhere E.164 allows 8 to 15 in all.
	if (international.startsWith('1')) return international.length === 11 ? `+${international}` : undefined;
	return international.length >= 8 && international.length <= 15 ? `+${international}` : undefined;
}
