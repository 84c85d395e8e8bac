import { planBatches } from '../../../nodes/shared/engine/batching';
import { jsonEnvelope } from '../../../nodes/shared/mapping';

function contactsOfSizes(sizes: number[]) {
	const json = sizes.map((size, index) => `"${String(index).padEnd(size - 2, '.')}"`);
	return { emails: sizes.map((_, i) => `c${i}@example.com`), json, bytes: json.map((text) => Buffer.byteLength(text)), itemIndex: sizes.map((_, i) => i) };
}

describe('batch planning', () => {
	test('splits by count', () => {
		const batches = planBatches(contactsOfSizes(new Array(2500).fill(10)), 1000, 1e9, 20);
		expect(batches.map((b) => b.end - b.start)).toEqual([1000, 1000, 500]);
	});

	test('splits by bytes, counting the envelope and the commas, and never reaches the limit', () => {
		const contacts = contactsOfSizes(new Array(100).fill(100));
		const envelope = 50;
		const limit = 1000;
		const batches = planBatches(contacts, 1000, limit, envelope);
		for (const batch of batches) {
			const body = envelope + contacts.json.slice(batch.start, batch.end).join(',').length;
			expect(body).toBeLessThan(limit);
		}
		// 50 + 9 × 100 + 8 commas = 958; a tenth contact would make 1059.
		expect(batches[0].end - batches[0].start).toBe(9);
		expect(batches.reduce((sum, b) => sum + b.end - b.start, 0)).toBe(100);
	});

	test('keeps order and covers every contact exactly once with mixed sizes', () => {
		const sizes = Array.from({ length: 500 }, (_, i) => 10 + ((i * 37) % 300));
		const batches = planBatches(contactsOfSizes(sizes), 40, 4000, 30);
		let next = 0;
		for (const batch of batches) {
			expect(batch.start).toBe(next);
			expect(batch.end).toBeGreaterThan(batch.start);
			next = batch.end;
		}
		expect(next).toBe(500);
	});

	test('builds request bodies around the contact array', () => {
		const envelope = jsonEnvelope({ Subscribers: [], Resubscribe: false }, 'Subscribers');
		const body = `${envelope.prefix}${['{"a":1}', '{"b":"x"}'].join(',')}${envelope.suffix}`;
		expect(JSON.parse(body)).toEqual({ Subscribers: [{ a: 1 }, { b: 'x' }], Resubscribe: false });
		const appended = jsonEnvelope({ list_ids: ['x'] }, 'import_data');
		expect(JSON.parse(`${appended.prefix}${appended.suffix}`)).toEqual({ list_ids: ['x'], import_data: [] });
	});
});
