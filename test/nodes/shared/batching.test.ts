import type { IDataObject } from 'n8n-workflow';

import type { DestinationAdapter } from '../../../nodes/shared/adapter';
import { Ledger } from '../../../nodes/shared/engine/accounting';
import type { Batch, InputRecord } from '../../../nodes/shared/engine/batching';
import { batchContacts, isMemberBatch, utf8Length } from '../../../nodes/shared/engine/batching';
import { jsonEnvelope } from '../../../nodes/shared/mapping';

/** An adapter that sends each contact as a string padded to a given size. */
function paddingAdapter(): DestinationAdapter {
	return {
		serviceName: 'Test',
		emailField: 'email',
		serialize: (record: IDataObject) => String(record.payload),
	} as unknown as DestinationAdapter;
}

async function* recordsOfSizes(sizes: number[]): AsyncGenerator<InputRecord> {
	for (let index = 0; index < sizes.length; index++) {
		yield { record: { email: `c${index}@example.com`, payload: String(index).padEnd(sizes[index] - 2, '.') }, itemIndex: index, where: `item ${index}` };
	}
}

async function batchesOf(sizes: number[], maxCount: number, maxBytes: number, envelopeBytes: number): Promise<Batch[]> {
	const batches: Batch[] = [];
	const context = { fit: (_field: string, value: string) => value, fitItems: <T>(_field: string, values: T[]) => values, omit: () => {} };
	for await (const batch of batchContacts(recordsOfSizes(sizes), paddingAdapter(), context, new Ledger(), { maxCount, maxBytes, envelopeBytes })) batches.push(batch);
	return batches;
}

describe('batching', () => {
	test('splits by count', async () => {
		const batches = await batchesOf(new Array(2500).fill(10), 1000, 1e9, 20);
		expect(batches.map((b) => b.json.length)).toEqual([1000, 1000, 500]);
	});

	test('splits by bytes, counting the envelope and the commas, and never reaches the limit', async () => {
		const envelope = 50;
		const limit = 1000;
		const batches = await batchesOf(new Array(100).fill(100), 1000, limit, envelope);
		for (const batch of batches) expect(envelope + batch.json.join(',').length).toBeLessThan(limit);
		// 50 + 9 × 100 + 8 commas = 958; a tenth contact would make 1059.
		expect(batches[0].json).toHaveLength(9);
		expect(batches.reduce((sum, b) => sum + b.json.length, 0)).toBe(100);
	});

	test('keeps order and covers every contact exactly once with mixed sizes', async () => {
		const sizes = Array.from({ length: 500 }, (_, i) => 10 + ((i * 37) % 300));
		const batches = await batchesOf(sizes, 40, 4000, 30);
		const order = batches.flatMap((batch) => batch.itemIndex);
		expect(order).toEqual(sizes.map((_, index) => index));
		for (const batch of batches) expect(batch.open).toEqual(batch.json.map((_, position) => position));
	});

	test('builds request bodies around the contact array', () => {
		const envelope = jsonEnvelope({ Subscribers: [], Resubscribe: false }, 'Subscribers');
		const body = `${envelope.prefix}${['{"a":1}', '{"b":"x"}'].join(',')}${envelope.suffix}`;
		expect(JSON.parse(body)).toEqual({ Subscribers: [{ a: 1 }, { b: 'x' }], Resubscribe: false });
		const appended = jsonEnvelope({ list_ids: ['x'] }, 'import_data');
		expect(JSON.parse(`${appended.prefix}${appended.suffix}`)).toEqual({ list_ids: ['x'], import_data: [] });
	});

	test('counts UTF-8 bytes as Buffer does', () => {
		for (const text of ['plain', 'Müller', '東京', 'emoji 😀 here', '\u0080\u07ff\u0800\uffff']) expect(utf8Length(text)).toBe(Buffer.byteLength(text));
	});

	test('a profile with a "members" field is a profile, not a batch; marked batches are batches', () => {
		expect(isMemberBatch({ email: 'a@example.com', members: [{ email: 'b@example.com' }] }, 'email')).toBe(false);
		expect(isMemberBatch({ members: ['x', 'y'] }, 'email')).toBe(false);
		expect(isMemberBatch({ members: [{ email: 'b@example.com' }] }, 'email')).toBe(true);
		expect(isMemberBatch({ segmentSourceBatch: true, email: 'odd@example.com', members: [] }, 'email')).toBe(true);
	});
});
