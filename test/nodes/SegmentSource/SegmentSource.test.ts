import type { IDataObject } from 'n8n-workflow';

import { useSandbox } from '../../harness/fixtures';
import { runWorkflow } from '../../harness/run';
import { chain } from '../../harness/workflows';

function condition(left: string, operation: string, right: unknown, type = 'string') {
	// The editor saves rightType "any" for array operators that take one value.
	const operator = type === 'array' ? { type, operation, rightType: 'any' } : { type, operation };
	return { id: `${left}-${operation}`, leftValue: left, rightValue: right, operator };
}
function segment(name: string, conditions: unknown[], combinator = 'and') {
	return { name, conditions: { options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 }, conditions, combinator } };
}

async function source(parameters: IDataObject, items?: IDataObject[]) {
	const result = await runWorkflow(chain({ name: 'Segment Source', type: 'segmentSource', parameters }), {
		startItems: items?.map((json) => ({ json })),
	});
	const hints = (result.run.data.resultData.runData['Segment Source']?.[0]?.hints ?? []).map((hint) => hint.message);
	return { result, hints, members: () => result.output('Segment Source', 0), invalid: () => result.output('Segment Source', 1) };
}

describe('Segment Source', () => {
	test('the bundled sample: members, merged duplicates and invalid rows add up', async () => {
		const { members, invalid, hints } = await source({ source: 'sample' });
		expect(members().length + invalid().length + 15).toBe(300);
		expect(invalid()).toHaveLength(12);
		expect(hints[0]).toBe('Rows in: 300 = members 273 + merged duplicates 15 + invalid 12');
		const first = members()[0].json;
		expect(Object.keys(first).slice(0, 10)).toEqual(['email', 'firstName', 'lastName', 'phone', 'address', 'city', 'state', 'postalCode', 'country', 'segments']);
		expect(first).toMatchObject({ customerId: 'C0000001', segments: [] });
	});

	test('the sample can be generated at any size from the same seed', async () => {
		const small = await source({ source: 'sample', sampleSize: 300 });
		const large = await source({ source: 'sample', sampleSize: 2000 });
		expect(large.members().slice(0, 50).map((m) => m.json.email)).toEqual(small.members().slice(0, 50).map((m) => m.json.email));
		expect(large.members().length).toBeGreaterThan(1700);
	});

	test('merges profiles by normalised e-mail, first non-empty value wins, and pairs with every source item', async () => {
		const { members, hints } = await source({ source: 'items' }, [
			{ email: 'Ana@Example.com', firstName: 'Ana', phone: '' },
			{ email: 'other@example.com', firstName: 'Bo' },
			{ email: '  ana@example.com ', firstName: 'Anna', phone: '+351911', lastName: 'Silva' },
		]);
		expect(members()).toHaveLength(2);
		expect(members()[0].json).toMatchObject({ email: 'ana@example.com', firstName: 'Ana', lastName: 'Silva', phone: '+351911' });
		expect(members()[0].pairedItem).toEqual([{ item: 0 }, { item: 2 }]);
		expect(hints[0]).toBe('Rows in: 3 = members 2 + merged duplicates 1 + invalid 0');
	});

	test('invalid rows go to Invalid with reason and row number', async () => {
		const { invalid } = await source({ source: 'items' }, [{ email: 'ok@example.com' }, { email: 'broken' }, { name: 'no email' }]);
		expect(invalid().map((item) => item.json)).toEqual([
			{ row: 2, reason: 'invalid_email', message: 'Row 2: Field "email" is not a valid e-mail address', email: 'broken', profile: { email: 'broken' } },
			{ row: 3, reason: 'missing_email', message: 'Row 3: Field "email" is empty or missing', email: null, profile: { name: 'no email' } },
		]);
		expect(invalid()[1].pairedItem).toEqual({ item: 2 });
	});

	test('finds fields under common names and maps them to member fields', async () => {
		const { members } = await source({ source: 'items' }, [{ 'E-mail': 'X@Y.io', 'First Name': 'Xi', surname: 'Yu', zip: '123', Country: 'FR', plan: 'pro' }]);
		expect(members()[0].json).toEqual({ email: 'x@y.io', firstName: 'Xi', lastName: 'Yu', phone: '', address: '', city: '', state: '', postalCode: '123', country: 'FR', segments: [], plan: 'pro' });
	});

	test('explicit field names win', async () => {
		const { members } = await source({ source: 'items', profileFields: { email: 'work', firstName: 'given' } }, [{ email: 'home@x.io', work: 'work@x.io', given: 'G' }]);
		expect(members()[0].json).toMatchObject({ email: 'work@x.io', firstName: 'G' });
	});

	test('no e-mail field at all is a clear error', async () => {
		const { result } = await source({ source: 'items' }, [{ name: 'a' }, { name: 'b' }]);
		expect(result.nodeError('Segment Source')!.message).toBe('No e-mail field found: the input has no field "email"');
	});

	test('segments: members carry the names of the segments they belong to; profiles in none are left out and counted', async () => {
		const { members, hints } = await source(
			{
				source: 'items',
				segments: {
					segment: [
						segment('Germany', [condition('={{ $json.country }}', 'equals', 'Germany')]),
						segment('Big spenders', [condition('={{ $json["lifetime value"] }}', 'gte', 100, 'number')]),
						segment('Gold or VIP', [condition('={{ $json.tier }}', 'equals', 'gold'), condition('={{ $json.tags }}', 'contains', 'vip', 'array')], 'or'),
					],
				},
			},
			[
				{ email: 'a@x.io', country: 'Germany', 'lifetime value': '250', tier: 'silver', tags: [] },
				{ email: 'b@x.io', country: 'France', 'lifetime value': 20, tier: 'gold', tags: [] },
				{ email: 'c@x.io', country: 'France', 'lifetime value': 5, tier: 'bronze', tags: ['vip'] },
				{ email: 'd@x.io', country: 'Spain', 'lifetime value': 5, tier: 'bronze', tags: [] },
			],
		);
		expect(members().map((m) => [m.json.email, m.json.segments])).toEqual([
			['a@x.io', ['Germany', 'Big spenders']],
			['b@x.io', ['Gold or VIP']],
			['c@x.io', ['Gold or VIP']],
		]);
		expect(hints[0]).toBe('Rows in: 4 = members 3 + merged duplicates 0 + invalid 0 + in no segment 1. Per segment: Germany: 1, Big spenders: 1, Gold or VIP: 2');
	});

	test('a comparison that cannot be made is reported, not silent', async () => {
		const wrongType = { id: 'x', leftValue: '={{ $json.tags }}', rightValue: 'vip', operator: { type: 'array', operation: 'contains' } };
		const { members, hints } = await source({ source: 'items', segments: { segment: [segment('Tagged', [wrongType])] } }, [{ email: 'a@x.io', tags: ['vip'] }]);
		expect(members()).toHaveLength(0);
		expect(hints.some((hint) => hint.startsWith('1 comparisons failed and counted as "not in segment"; first: segment "Tagged": Conversion error'))).toBe(true);
	});

	test('a condition on a field no profile has is reported', async () => {
		const { hints } = await source({ source: 'items', segments: { segment: [segment('Typo', [condition('={{ $json.contry }}', 'equals', 'US')])] } }, [{ email: 'a@x.io', country: 'US' }]);
		expect(hints).toContain('Segment "Typo" refers to "contry", which no profile has');
	});

	test('other expressions fall back to n8n for items, and are refused for the sample', async () => {
		const complex = segment('Computed', [condition('={{ $json.country.toUpperCase() }}', 'equals', 'DE')]);
		const items = await source({ source: 'items', segments: { segment: [complex] } }, [{ email: 'a@x.io', country: 'de' }, { email: 'b@x.io', country: 'fr' }]);
		expect(items.members().map((m) => m.json.email)).toEqual(['a@x.io']);
		expect(items.hints.some((hint) => hint.startsWith('Segment "Computed" is evaluated per input item by n8n'))).toBe(true);
		const sample = await source({ source: 'sample', segments: { segment: [complex] } });
		expect(sample.result.nodeError('Segment Source')!.message).toMatch(/^Segment "Computed": condition 1 uses an expression other than a plain field reference/);
	});
});

describe('Segment Source: files, merge rules, normalisation, batches', () => {
	const sandbox = useSandbox();

	async function fromFile(text: string, parameters: IDataObject = {}, fileName = 'profiles.csv') {
		const result = await runWorkflow(chain({ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'file', ...parameters } }), {
			startItems: [{ json: {}, binary: { data: { data: Buffer.from(text).toString('base64'), mimeType: 'text/plain', fileName } } }],
		});
		const hints = (result.run.data.resultData.runData['Segment Source']?.[0]?.hints ?? []).map((hint) => hint.message);
		return { result, hints, members: () => result.output('Segment Source', 0), invalid: () => result.output('Segment Source', 1) };
	}

	test('a CSV file: members, and unreadable or invalid rows with their line numbers', async () => {
		const { members, invalid, hints } = await fromFile('\uFEFFEmail;First Name;Country\n"A@x.io";"Ann";DE\nbroken;Bo;FR\nc@x.io;Cy;FR;extra\n');
		expect(members().map((m) => m.json)).toEqual([{ email: 'a@x.io', firstName: 'Ann', lastName: '', phone: '', address: '', city: '', state: '', postalCode: '', country: 'DE', segments: [] }]);
		expect(invalid().map((item) => [item.json.row, item.json.reason])).toEqual([
			[3, 'invalid_email'],
			[4, 'unreadable_row'],
		]);
		expect(hints[0]).toBe('Rows in: 3 = members 1 + merged duplicates 0 + invalid 2');
	});

	test('a file without a header: the e-mail column is found', async () => {
		const { members } = await fromFile('Ann,ann@x.io\nBo,bo@x.io\n');
		expect(members().map((m) => m.json.email)).toEqual(['ann@x.io', 'bo@x.io']);
	});

	test('an unreadable file fails naming line and column', async () => {
		const { result } = await fromFile('email,name\na@x.io,"never closed\n');
		const error = result.nodeError('Segment Source')!;
		expect(error.message).toBe('Unreadable file "profiles.csv": A quoted value opened at line 2, column 8 is never closed');
		expect(error.description).toBe('Line 2, column 8. Nothing was read.');
	});

	test('JSON and NDJSON files', async () => {
		const json = await fromFile(JSON.stringify([{ email: 'a@x.io' }, { email: 'b@x.io' }]), {}, 'p.json');
		expect(json.members()).toHaveLength(2);
		const ndjson = await fromFile('{"email":"a@x.io"}\n{"email":"b@x.io"}\nnot json\n', {}, 'p.ndjson');
		expect(ndjson.members()).toHaveLength(2);
		expect(ndjson.invalid()[0].json).toMatchObject({ row: 3, reason: 'unreadable_row' });
	});

	test('merge rule "most recent": the latest row gives the values, older rows fill the gaps', async () => {
		const rows = [
			{ email: 'a@x.io', firstName: 'Old', city: 'Lyon', phone: '+331', updatedAt: '2025-01-01' },
			{ email: 'A@X.io', firstName: 'New', city: '', updatedAt: '2026-06-01' },
			{ email: 'a@x.io', firstName: 'Middle', updatedAt: '2025-06-01' },
		];
		const recent = await source({ source: 'items', options: { mergeRule: 'mostRecent', timestampField: 'updatedAt' } }, rows);
		expect(recent.members()[0].json).toMatchObject({ firstName: 'New', city: 'Lyon', phone: '+331', updatedAt: '2026-06-01' });
		const first = await source({ source: 'items' }, rows);
		expect(first.members()[0].json).toMatchObject({ firstName: 'Old', city: 'Lyon', updatedAt: '2025-01-01' });
	});

	test('phones to E.164 and countries to ISO codes, with what could not be done counted', async () => {
		const { members, hints } = await source({ source: 'items', options: { normalisePhone: true, defaultCountry: 'US', countryCodes: true } }, [
			{ email: 'a@x.io', phone: '(206) 555-0142', country: 'United States' },
			{ email: 'b@x.io', phone: '0151 23456789', country: 'Deutschland' },
			{ email: 'c@x.io', phone: '12', country: 'Atlantis' },
		]);
		expect(members().map((m) => [m.json.phone, m.json.country])).toEqual([
			['+12065550142', 'US'],
			['+4915123456789', 'DE'],
			['12', 'Atlantis'],
		]);
		expect(hints).toEqual(expect.arrayContaining(['1 phone numbers could not be made E.164 and were left as they were', '1 country names were not recognised and were left as they were']));
	});

	test('more rows than the limit fail before anything else', async () => {
		const { result } = await source({ source: 'items', options: { maxProfiles: 2 } }, [{ email: 'a@x.io' }, { email: 'b@x.io' }, { email: 'c@x.io' }]);
		expect(result.nodeError('Segment Source')!.message).toBe('3 profiles, more than the limit of 2');
	});

	test('batch output: items of up to 10,000 members, which an exporter takes as they are', async () => {
		const result = await runWorkflow(
			chain(
				{ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'sample', sampleSize: 25_000, options: { outputMode: 'batches' } } },
				{
					name: 'Export',
					type: 'campaignMonitorExport',
					credentials: { campaignMonitorExportApi: { id: 'cm', name: 'cm' } },
					parameters: { privacyAcknowledged: true, list: { __rl: true, mode: 'id', value: 'cm-list-vip' } },
				},
			),
			{ credentials: { campaignMonitorExportApi: sandbox().endpoints.campaignMonitor } },
		);
		const batches = result.output('Segment Source', 0);
		expect(batches.map((item) => item.json.count)).toEqual([10_000, 10_000, expect.any(Number)]);
		const members = batches.reduce((sum, item) => sum + Number(item.json.count), 0);
		const [summary] = result.output('Export', 0);
		// The sample has one address in a hundred at a ".invalid" domain, which Campaign Monitor refuses.
		expect(summary.json).toMatchObject({ received: members, exported: members - 250, rejected: 250, notSent: 0 });
		expect(sandbox().campaignMonitor.subscribers('cm-list-vip')).toHaveLength(members - 250);
		expect(result.output('Export', 1).every((item) => item.json.reason === 'rejected_by_destination')).toBe(true);
		// Rejected items pair with the batch item their member came in.
		expect(new Set(result.output('Export', 1).map((item) => JSON.stringify(item.pairedItem)))).toEqual(new Set(['{"item":0}', '{"item":1}', '{"item":2}']));
	});
});
