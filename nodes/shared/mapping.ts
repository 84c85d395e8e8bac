/** Compares field names loosely: "Postal Code", "[postalcode]" and "postal_code" are one name. */
export function fieldNameKey(name: string): string {
	return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const PLACEHOLDER = JSON.stringify('\u0000contacts\u0000');

/**
 * Splits the JSON of a request body around its contact array, so a batch body is prefix +
 * contacts joined by commas + suffix, with every contact serialized once.
 */
export function jsonEnvelope(body: Record<string, unknown>, arrayKey: string): { prefix: string; suffix: string } {
	const json = JSON.stringify({ ...body, [arrayKey]: '\u0000contacts\u0000' });
	const at = json.indexOf(PLACEHOLDER);
	return { prefix: `${json.slice(0, at)}[`, suffix: `]${json.slice(at + PLACEHOLDER.length)}` };
}
