import { detectDelimiter, readFile, UnreadableFile } from '../../../nodes/SegmentSource/readers';
import { toE164 } from '../../../nodes/SegmentSource/normalise';

const csv = (text: string, header: 'auto' | 'yes' | 'no' = 'auto', delimiter = 'auto') => readFile(text, 'csv', header, delimiter);

describe('CSV', () => {
	test('quoted fields with commas, doubled quotes and line breaks; rows keep their starting line', () => {
		const rows = csv('email,name,note\r\na@x.io,"Doe, Jane","said ""hi""\nand left"\r\nb@x.io,Bo,plain\n');
		expect(rows).toEqual([
			{ record: { email: 'a@x.io', name: 'Doe, Jane', note: 'said "hi"\nand left' }, line: 2 },
			{ record: { email: 'b@x.io', name: 'Bo', note: 'plain' }, line: 4 },
		]);
	});

	test('UTF-8 with and without BOM', () => {
		const withBom = readFile('\uFEFFemail;Stadt\nx@y.de;München\n', 'auto', 'auto', 'auto');
		expect(withBom).toEqual([{ record: { email: 'x@y.de', Stadt: 'München' }, line: 2 }]);
		expect(readFile('email;Stadt\nx@y.de;München\n', 'auto', 'auto', 'auto')).toEqual(withBom);
	});

	test('detects ; and tab delimiters, counting only outside quotes', () => {
		expect(detectDelimiter('"a,b";c;d\n1;2;3')).toBe(';');
		expect(detectDelimiter('a\tb\tc\n')).toBe('\t');
		expect(csv('email\tname\nq@w.io\tQ\n')[0].record).toEqual({ email: 'q@w.io', name: 'Q' });
	});

	test('blank lines are skipped; ragged rows: short ones padded, long ones set apart', () => {
		const rows = csv('email,first,last\n\na@x.io,A\n\nb@x.io,B,C,extra\nc@x.io,C,D\n');
		expect(rows).toEqual([
			{ record: { email: 'a@x.io', first: 'A', last: '' }, line: 3 },
			{ line: 5, problem: 'Row at line 5 has 4 values but the header has 3 columns' },
			{ record: { email: 'c@x.io', first: 'C', last: 'D' }, line: 6 },
		]);
	});

	test('header detection: a first row with an address is data, and columns are numbered', () => {
		expect(csv('a@x.io,Ann\nb@x.io,Bob\n')).toEqual([
			{ record: { column1: 'a@x.io', column2: 'Ann' }, line: 1 },
			{ record: { column1: 'b@x.io', column2: 'Bob' }, line: 2 },
		]);
		expect(csv('mail,n\na@x.io,1\n', 'no')[0].record).toEqual({ column1: 'mail', column2: 'n' });
	});

	test('an unterminated quote makes the file unreadable, naming line and column', () => {
		expect(() => csv('email,name\na@x.io,"open\nb@x.io,Bo\n')).toThrow(UnreadableFile);
		try {
			csv('email,name\na@x.io,"open\nb@x.io,Bo\n');
		} catch (error) {
			expect(error).toMatchObject({ line: 2, column: 8, message: 'A quoted value opened at line 2, column 8 is never closed' });
		}
	});
});

describe('JSON and NDJSON', () => {
	test('a JSON array of objects; other elements are set apart', () => {
		expect(readFile('[{"email":"a@x.io"}, 5, {"email":"b@x.io"}]', 'auto', 'auto', 'auto')).toEqual([
			{ record: { email: 'a@x.io' }, line: 1 },
			{ line: 2, problem: 'Element 2 of the JSON array is not an object' },
			{ record: { email: 'b@x.io' }, line: 3 },
		]);
	});

	test('invalid JSON is an unreadable file with a position', () => {
		expect(() => readFile('[{"email":"a@x.io"},\n {"email": }]', 'json', 'auto', 'auto')).toThrow(/^The file is not valid JSON/);
	});

	test('NDJSON: one object per line, a bad line is set apart with its number', () => {
		expect(readFile('{"email":"a@x.io"}\n\n{bad}\n{"email":"b@x.io"}\n', 'auto', 'auto', 'auto', 'people.ndjson')).toEqual([
			{ record: { email: 'a@x.io' }, line: 1 },
			{ line: 3, problem: expect.stringMatching(/^Line 3 is not valid JSON/) },
			{ record: { email: 'b@x.io' }, line: 4 },
		]);
	});
});

describe('phone numbers to E.164', () => {
	test.each([
		['+49 151 2345 6789', undefined, undefined, '+4915123456789'],
		['0049 151 23456789', undefined, undefined, '+4915123456789'],
		['0151 23456789', 'Germany', undefined, '+4915123456789'],
		['(206) 555-0142', undefined, 'US', '+12065550142'],
		['1-206-555-0142', 'USA', undefined, '+12065550142'],
		['06 12 34 56 78', 'FR', 'US', '+33612345678'],
		['02 1234 5678', 'Italy', undefined, '+390212345678'],
		['555-0142', undefined, 'US', undefined],
		['12345', undefined, undefined, undefined],
	])('%s (country %s, default %s) → %s', (raw, country, fallback, expected) => {
		expect(toE164(raw, country, fallback)).toBe(expected);
	});
});
