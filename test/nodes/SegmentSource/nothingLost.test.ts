import type { IDataObject } from 'n8n-workflow';
import { gzipSync } from 'zlib';

import { checkEmail } from '../../../nodes/shared/contact';
import { countryCode } from '../../../nodes/shared/countries';
import { SegmentSource } from '../../../nodes/SegmentSource/SegmentSource.node';
import { runWorkflow } from '../../harness/run';
import { chain } from '../../harness/workflows';

// Issue 10: Segment Source must not lose data without a word. One test per item of the issue.

function condition(left: string, operation: string, right: unknown, type = 'string') {
	const operator = operation === 'exists' ? { type, operation, singleValue: true } : { type, operation };
	return { id: `${left}-${operation}`, leftValue: left, rightValue: right, operator };
}
function segment(name: string, conditions: unknown[]) {
	return { name, conditions: { options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 }, conditions, combinator: 'and' } };
}

async function run(parameters: IDataObject, startItems: Array<{ json: IDataObject; binary?: IDataObject }>) {
	const result = await runWorkflow(chain({ name: 'Segment Source', type: 'segmentSource', parameters }), { startItems: startItems as never });
	const hints = (result.run.data.resultData.runData['Segment Source']?.[0]?.hints ?? []).map((hint) => hint.message);
	return { result, hints, members: () => result.output('Segment Source', 0).map((item) => item.json), invalid: () => result.output('Segment Source', 1).map((item) => item.json) };
}
const fromItems = (parameters: IDataObject, items: IDataObject[]) => run({ source: 'items', ...parameters }, items.map((json) => ({ json })));
function fromFile(content: string | Buffer, parameters: IDataObject = {}, fileName = 'profiles.csv') {
	const bytes = typeof content === 'string' ? Buffer.from(content) : content;
	return run({ source: 'file', ...parameters }, [{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'text/plain', fileName } } }]);
}
/** Own enumerable properties, including one named "__proto__". */
const entries = (value: object) => Object.entries(value);

describe('issue 10: nothing is lost silently', () => {
	test('1. keys named like Object.prototype members are kept as own properties', async () => {
		const items = await fromItems({}, [{ email: 'a@x.io', constructor: 'c', toString: 't', valueOf: 'v', hasOwnProperty: 'h' }]);
		expect(entries(items.members()[0])).toEqual(expect.arrayContaining([['constructor', 'c'], ['toString', 't'], ['valueOf', 'v'], ['hasOwnProperty', 'h']]));
		const csv = await fromFile('email,__proto__,constructor,toString\na@x.io,p,c,t\n');
		expect(entries(csv.members()[0])).toEqual(expect.arrayContaining([['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']]));
		const json = await fromFile('[{"email":"a@x.io","__proto__":{"polluted":true},"valueOf":"v"}]', {}, 'p.json');
		expect(entries(json.members()[0])).toEqual(expect.arrayContaining([['__proto__', { polluted: true }], ['valueOf', 'v']]));
		expect(({} as IDataObject).polluted).toBeUndefined();
	});

	test('2. conditions on constructor, __proto__ or prototype fail with n8n\'s message; no inherited property is read', async () => {
		for (const left of ['={{ $json.constructor }}', '={{ $json["__proto__"] }}', '={{ $json.address.prototype }}']) {
			const { result } = await fromItems({ segments: { segment: [segment('Any', [condition(left, 'exists', '')])] } }, [{ email: 'a@x.io' }]);
			const name = /(constructor|__proto__|prototype)/.exec(left)![1];
			expect(result.nodeError('Segment Source')!.message).toBe(`Cannot access "${name}" due to security concerns`);
		}
		const inherited = await fromItems({ segments: { segment: [segment('Has toString', [condition('={{ $json.toString }}', 'exists', '')])] } }, [
			{ email: 'a@x.io' },
			{ email: 'b@x.io', toString: 'own' },
		]);
		expect(inherited.members().map((member) => member.email)).toEqual(['b@x.io']);
	});

	test('3. duplicate header names are all kept (phone, phone_2) and the hint says so', async () => {
		const { members, hints } = await fromFile('email,phone,phone,phone\na@x.io,111,222,333\n');
		expect(members()[0]).toMatchObject({ phone: '111', phone_2: '222', phone_3: '333' });
		expect(hints).toContain('The header repeats column names; renamed so no value is lost: column 3 "phone" → "phone_2", column 4 "phone" → "phone_3"');
	});

	test('4. a guessed header row is counted and explained, with how to override it', async () => {
		const { members, hints } = await fromFile('Ann,Berlin\nBo,bo@x.io\n');
		expect(members()).toHaveLength(1);
		expect(hints).toContain('Line 1 was taken as the header row (not a profile) because none of its values is an e-mail address or a number: "Ann", "Berlin". If it is data, set "CSV Header Row" to "No".');
		const node = new SegmentSource();
		const header = node.description.properties.find((property) => property.name === 'csvHeader')!;
		expect(header.options!.find((option) => 'value' in option && option.value === 'auto')).toMatchObject({ description: expect.stringContaining('choose "No"') });
	});

	test('5. standard fields are text: numbers and booleans written out, objects and lists go to Invalid naming the field', async () => {
		const { members, invalid } = await fromItems({ options: { normalisePhone: true, defaultCountry: 'DE' } }, [
			{ email: 'a@x.io', firstName: 42, lastName: true, postalCode: 10115, phone: 4915123456789 },
			{ email: 'b@x.io', city: { name: 'Lyon' } },
			{ email: 'c@x.io', phone: ['1', '2'] },
		]);
		expect(members()).toEqual([expect.objectContaining({ firstName: '42', lastName: 'true', postalCode: '10115', phone: '+4915123456789' })]);
		expect(invalid().map((row) => [row.row, row.reason, row.message])).toEqual([
			[2, 'invalid_field', 'Row 2: Field "city" holds an object, not text'],
			[3, 'invalid_field', 'Row 3: Field "phone" holds a list, not text'],
		]);
	});

	describe('6. encodings and compressed files', () => {
		const text = 'email;Stadt;Preis\na@x.io;München;9 €\n';
		test('UTF-16 with a BOM (little and big endian) is decoded', async () => {
			const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
			const be = Buffer.from(le.subarray(2)).swap16();
			for (const bytes of [le, Buffer.concat([Buffer.from([0xfe, 0xff]), be])]) {
				const { members, invalid } = await fromFile(bytes);
				expect(invalid()).toEqual([]);
				expect(members()[0]).toMatchObject({ email: 'a@x.io', Stadt: 'München', Preis: '9 €' });
			}
		});
		test('File Encoding: Latin-1 and Windows-1252', async () => {
			const latin1 = await fromFile(Buffer.from('email;Stadt\na@x.io;München\n', 'latin1'), { fileEncoding: 'latin1' });
			expect(latin1.members()[0]).toMatchObject({ Stadt: 'München' });
			const windows = await fromFile(Buffer.from([...Buffer.from('email;Stadt;Preis\na@x.io;M'), 0xfc, ...Buffer.from('nchen;9 '), 0x80, 0x0a]), { fileEncoding: 'windows-1252' });
			expect(windows.members()[0]).toMatchObject({ Stadt: 'München', Preis: '9 €' });
		});
		test('undecodable UTF-8 is refused, naming line and byte', async () => {
			const { result } = await fromFile(Buffer.from('email;Stadt\na@x.io;München\n', 'latin1'));
			const error = result.nodeError('Segment Source')!;
			expect(error.message).toBe('Unreadable file "profiles.csv": line 2 is not valid UTF-8 (byte 0xFC, byte 9 of the line, byte 21 of the file)');
			expect(error.description).toMatch(/File Encoding/);
		});
		test('a gzip file is decompressed; other binary files are refused clearly', async () => {
			const gzip = await fromFile(gzipSync(Buffer.from('email,name\na@x.io,A\nb@x.io,B\n')), {}, 'profiles.csv.gz');
			expect(gzip.members().map((member) => member.email)).toEqual(['a@x.io', 'b@x.io']);
			const zip = await fromFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]), {}, 'profiles.xlsx');
			expect(zip.result.nodeError('Segment Source')!.message).toBe('Unreadable file "profiles.xlsx": it is a ZIP archive (or an Excel or OpenDocument file), not text; export it as CSV or JSON');
			const png = await fromFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), {}, 'photo.png');
			expect(png.result.nodeError('Segment Source')!.message).toMatch(/^Unreadable file "photo.png": it is a binary file, not text/);
		});
	});

	test('7. international domains are accepted, deduplicated and sent in punycode; non-ASCII local parts are refused saying why', async () => {
		expect(checkEmail('User@MÜNCHEN.de', 'email')).toEqual({ ok: true, email: 'user@xn--mnchen-3ya.de' });
		const { members, invalid, hints } = await fromItems({}, [
			{ email: 'user@münchen.de', firstName: 'U' },
			{ email: 'user@xn--mnchen-3ya.de', lastName: 'Ser' },
			{ email: 'user@example.рф' },
			{ email: 'jürgen@example.de' },
		]);
		expect(members().map((member) => [member.email, member.firstName, member.lastName])).toEqual([
			['user@xn--mnchen-3ya.de', 'U', 'Ser'],
			['user@example.xn--p1ai', '', ''],
		]);
		expect(invalid()).toEqual([
			expect.objectContaining({ row: 4, reason: 'invalid_email', message: 'Row 4: Field "email" has non-ASCII characters before the @, which the services we export to do not accept' }),
		]);
		expect(hints[0]).toBe('Rows in: 4 = members 2 + merged duplicates 1 + invalid 1');
	});

	test('8. no members is said plainly, and "Fail When No Members" makes it an error', async () => {
		expect((await fromFile('')).hints).toContain('No members: the file is empty');
		expect((await fromFile('email,name\n')).hints).toContain('No members: the file has a header row and no data rows');
		expect((await fromItems({}, [{ email: 'broken' }])).hints).toContain('No members: every row is invalid (see the Invalid output)');
		const none = segment('Nobody', [condition('={{ $json.country }}', 'equals', 'Atlantis')]);
		expect((await fromItems({ segments: { segment: [none] } }, [{ email: 'a@x.io', country: 'DE' }])).hints).toContain('No members: no profile is in any segment');
		const { result } = await fromFile('email,name\n', { options: { failWhenNoMembers: true } });
		expect(result.nodeError('Segment Source')!.message).toBe('No members: the file has a header row and no data rows');
	});

	test('country names in the languages our users read: "Lietuva" and "Suomija" are recognised', () => {
		expect([countryCode('Lietuva'), countryCode('Suomija'), countryCode('Saksa'), countryCode('Vereinigte Staaten')]).toEqual(['LT', 'FI', 'DE', 'US']);
	});
});
