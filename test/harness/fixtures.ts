import type { IDataObject } from 'n8n-workflow';

import type { Sandbox } from '../sandbox/server';
import { startSandbox } from '../sandbox/server';

/** Rate limits and processing times run this much faster in tests. */
export const TEST_SCALE = 50;

/**
 * One sandbox for a test file, reset between tests. Call at the top of a describe block; the
 * getter is valid inside tests.
 */
export function useSandbox(scale = TEST_SCALE): () => Sandbox {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox({ scale });
	});
	afterEach(() => sandbox?.reset());
	afterAll(async () => {
		await sandbox?.stop();
	});
	return () => sandbox!;
}

export interface ProfileSet {
	profiles: IDataObject[];
	/** Normalised addresses of the valid, unique profiles, in first-seen order. */
	validUnique: string[];
	invalidCount: number;
	duplicateCount: number;
}

/**
 * `total` profiles of which `invalid` have a missing or malformed e-mail and `duplicates` repeat an
 * earlier valid address differing only by case and surrounding spaces.
 */
export function makeProfiles(total: number, invalid: number, duplicates: number): ProfileSet {
	const malformed = ['', 'not-an-email', 'someone@', '@example.com', 'a b@example.com', 'x@@example.com', 'dots..@example.com', 'no-tld@host'];
	const unique = total - invalid - duplicates;
	const profiles: IDataObject[] = [];
	const validUnique: string[] = [];
	for (let index = 0; index < unique; index++) {
		const email = `member.${index}@shop${index % 7}.example.com`;
		validUnique.push(email);
		profiles.push({
			email,
			firstName: `First${index}`,
			lastName: `Last${index}`,
			phone: `+1555${String(index).padStart(7, '0')}`,
			address: `${index} Test Street`,
			city: ['Seattle', 'Austin', 'Berlin'][index % 3],
			state: ['WA', 'TX', 'BE'][index % 3],
			postalCode: String(10000 + index),
			country: ['United States', 'United States', 'Germany'][index % 3],
			loyaltyTier: ['bronze', 'gold'][index % 2],
		});
	}
	// Spread the bad rows through the set rather than appending them, as real exports have them.
	for (let index = 0; index < invalid; index++) {
		profiles.splice((index * 97) % profiles.length, 0, { email: malformed[index % malformed.length], firstName: 'Bad', lastName: `Row${index}` });
	}
	for (let index = 0; index < duplicates; index++) {
		const original = validUnique[(index * 31) % unique];
		const variant = index % 2 ? `  ${original.toUpperCase()}  ` : original.replace(/^m/, 'M');
		profiles.push({ email: variant, firstName: `Duplicate${index}`, lastName: 'Copy' });
	}
	return { profiles, validUnique, invalidCount: invalid, duplicateCount: duplicates };
}

/** Every string found anywhere in a value, for "this secret appears nowhere" checks. */
export function serialized(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, inner: unknown) => {
		if (inner instanceof Error) return { ...inner, message: inner.message, description: (inner as { description?: unknown }).description, stack: inner.stack };
		if (inner && typeof inner === 'object') {
			if (seen.has(inner)) return undefined;
			seen.add(inner);
		}
		return inner;
	});
}
