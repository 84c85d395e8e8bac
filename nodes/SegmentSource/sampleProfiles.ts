import type { IDataObject } from 'n8n-workflow';

/** Size of the bundled sample: enough to show every path (members, merges, invalid rows), small enough to read. */
export const SAMPLE_SIZE = 300;
export const MAX_GENERATED_PROFILES = 1_000_000;
const SEED = 20261127;

const FIRST_NAMES = ['Ada', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Mei', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe'];
const LAST_NAMES = ['Alvarez', 'Brown', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ito', 'Jensen', 'Kowalski', 'López', 'Müller', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Virtanen', 'Weber', 'Yilmaz', 'Zhang'];
const PLACES: Array<[city: string, state: string, country: string, postal: () => string]> = [
	['Seattle', 'WA', 'United States', () => `98${digits(3)}`],
	['Austin', 'TX', 'United States', () => `78${digits(3)}`],
	['Toronto', 'ON', 'Canada', () => `M${digits(1)}A ${digits(1)}B${digits(1)}`],
	['London', '', 'United Kingdom', () => `SW${digits(1)} ${digits(1)}AA`],
	['Berlin', 'BE', 'Germany', () => `10${digits(3)}`],
	['Lyon', '', 'France', () => `69${digits(3)}`],
	['Sydney', 'NSW', 'Australia', () => `2${digits(3)}`],
	['Dublin', '', 'Ireland', () => `D0${digits(1)}`],
];
const STREETS = ['Main St', 'Oak Ave', 'Harbour Rd', 'King St', 'Linden Allee', 'Rue Victor Hugo', 'Elm Close', 'Station Rd'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com'];
const TIERS = ['bronze', 'silver', 'gold', 'platinum'];
const MALFORMED = ['not-an-email', 'someone@', '@example.com', 'two@@example.com', 'dot..dot@example.com', 'space in@example.com', 'no-tld@localhost'];

let state = SEED;
/** mulberry32: small, fast and identical on every platform, so the sample is the same everywhere. */
function random(): number {
	state = (state + 0x6d2b79f5) | 0;
	let t = Math.imul(state ^ (state >>> 15), 1 | state);
	t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function pick<T>(values: readonly T[]): T {
	return values[Math.floor(random() * values.length)];
}
function digits(count: number): string {
	let text = '';
	for (let i = 0; i < count; i++) text += Math.floor(random() * 10);
	return text;
}

function asciiFold(text: string): string {
	return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/**
 * Profile number `index` (from 0). Each depends only on the seed and its index, so any size starts
 * the same way. Without problem rows every profile is valid and unique (for load tests).
 */
export function sampleProfile(index: number, withProblemRows = true): IDataObject {
	state = SEED ^ Math.imul(index + 1, 0x9e3779b1);
	const firstName = pick(FIRST_NAMES);
	const lastName = pick(LAST_NAMES);
	const [city, region, country, postal] = pick(PLACES);
	const profile: IDataObject = {
		customerId: `C${String(index + 1).padStart(7, '0')}`,
		email: `${asciiFold(firstName)}.${asciiFold(lastName)}.${index + 1}@${pick(DOMAINS)}`,
		firstName,
		lastName,
		phone: random() < 0.8 ? `+1${digits(10)}` : '',
		address: `${1 + Math.floor(random() * 400)} ${pick(STREETS)}`,
		city,
		state: region,
		postalCode: postal(),
		country,
		loyaltyTier: pick(TIERS),
		lifetimeValue: Math.round(random() * 500_000) / 100,
		ordersCount: Math.floor(random() * 40),
		lastOrderDate: new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 320) * 86_400_000).toISOString().slice(0, 10),
	};
	// About 1 row in 25 has a missing or malformed address; about 1 in 20 repeats an earlier
	// customer's address with different case and spaces (and a phone number the first row lacked).
	// Two rows in 100 look valid here but are refused downstream: an address at a reserved
	// ".invalid" domain, and a street address longer than Campaign Monitor's 250 characters.
	const kind = withProblemRows ? index % 100 : -1;
	if (kind === 41) {
		profile.email = String(profile.email).replace(/@.*$/, '@mailbox.example.invalid');
	} else if (kind === 77) {
		profile.address = `${profile.address}, ${'Building C, Floor 4, Suite 1200, c/o Accounts Payable Department, '.repeat(4)}`.trim();
	} else if (kind % 25 === 13) {
		profile.email = kind < 50 ? pick(MALFORMED) : '';
	} else if (kind % 20 === 9 && index >= 5) {
		const earlier = sampleProfile(index - 5);
		state = SEED ^ Math.imul(index + 1, 0x85ebca6b);
		return {
			...earlier,
			email: `  ${String(earlier.email).toUpperCase()} `,
			phone: earlier.phone || `+1${digits(10)}`,
			loyaltyTier: pick(TIERS),
		};
	}
	return profile;
}

/** The bundled sample, or a generated set of any size up to MAX_GENERATED_PROFILES. */
export function sampleProfiles(count = SAMPLE_SIZE, withProblemRows = true): IDataObject[] {
	const profiles: IDataObject[] = new Array(count);
	for (let index = 0; index < count; index++) profiles[index] = sampleProfile(index, withProblemRows);
	return profiles;
}
