import { packWireForms, unpackWireForms } from '../../../nodes/shared/engine/packedBatch';

describe('packed wire forms (kept while a job that may stop part-way runs)', () => {
	test('come back exactly as they went in, escapes and any script included', async () => {
		const forms = [
			JSON.stringify({ email: 'ana@example.com', note: 'line one\nline two', name: 'Zoë 李 🚀' }),
			JSON.stringify({ email: 'b@example.com', tags: ['a,b', '"quoted"'] }),
			'{}',
		];
		const packed = await packWireForms(forms);
		expect(packed.length).toBeGreaterThan(0);
		expect(await unpackWireForms(packed)).toEqual(forms);
	});

	test('are much smaller than the strings for a typical batch', async () => {
		const forms = Array.from({ length: 100 }, (_, i) => JSON.stringify({ identifiers: [{ type: 'email', id: `person${i}@example.com` }], firstName: `First${i}`, lastName: 'Lastname', tags: ['segment-a'] }));
		const packed = await packWireForms(forms);
		expect(packed.length * 4).toBeLessThan(forms.join('\n').length);
	});

	test('an empty batch stays empty', async () => {
		expect(await unpackWireForms(await packWireForms([]))).toEqual([]);
	});
});
