import type { IBinaryData, IDataObject, INodeExecutionData, IWorkflowBase } from 'n8n-workflow';
import { gzipSync } from 'zlib';

import type { FileEncoding } from '../../../nodes/SegmentSource/decode';
import { decodeFile, decodeStream } from '../../../nodes/SegmentSource/decode';
import { ownValue } from '../../../nodes/SegmentSource/ownFields';
import type { FileFormat, FileRow, HeaderMode } from '../../../nodes/SegmentSource/readers';
import { BATCH_ROWS, readFileStream, readFileWithNotes } from '../../../nodes/SegmentSource/readers';
import { RepeatedEmails } from '../../../nodes/SegmentSource/repeatedEmails';
import { binaryDataService, runWorkflow } from '../../harness/run';
import { chain, type NodeSpec } from '../../harness/workflows';

// Issue 13: with the Member File output, Segment Source reads its file as a stream, in two passes.
// What it reads must be what reading the whole file gives: these tests compare the two.

async function* slices(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
	for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

interface Read {
	rows?: unknown;
	notes?: unknown;
	error?: { message: string; line: number; column: number };
}

async function buffered(bytes: Uint8Array, encoding: FileEncoding, format: FileFormat, header: HeaderMode, delimiter: string, fileName?: string): Promise<Read> {
	try {
		const read = readFileWithNotes(await decodeFile(bytes, encoding, 1e9), format, header, delimiter, fileName);
		return { rows: read.rows, notes: { empty: read.empty, csv: read.csv } };
	} catch (error) {
		const { message, line, column } = error as { message: string; line: number; column: number };
		return { error: { message, line, column } };
	}
}

async function streamed(bytes: Uint8Array, size: number, encoding: FileEncoding, format: FileFormat, header: HeaderMode, delimiter: string, fileName?: string): Promise<Read> {
	try {
		const text = decodeStream(async () => slices(bytes, size), encoding, 1e9);
		const read = readFileStream(text, format, header, delimiter, fileName);
		// The node reads batches: never empty, never more than BATCH_ROWS rows.
		const rows = [];
		for await (const batch of read.batches) {
			if (!Array.isArray(batch) || batch.length === 0 || batch.length > BATCH_ROWS) throw new Error(`a batch of ${JSON.stringify(batch).slice(0, 40)}`);
			rows.push(...batch);
		}
		return { rows, notes: read.notes };
	} catch (error) {
		const { message, line, column } = error as { message: string; line: number; column: number };
		return { error: { message, line, column } };
	}
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const CSV = 'email,name,note\r\na@x.io,"Doe, Jane","said ""hi""\nand left"\r\nb@x.io,Bö 日本 😀,plain\n\nc@x.io,C\rd@x.io,D,x,extra\n';

// [label, bytes, encoding, format, header, delimiter, fileName]
const FIXTURES: Array<[string, Uint8Array, FileEncoding, FileFormat, HeaderMode, string, string?]> = [
	['CSV: quoted values with delimiters, doubled quotes, line breaks; CR, LF and CRLF; ragged rows; multi-byte', utf8(CSV), 'utf-8', 'auto', 'auto', 'auto'],
	['CSV with a UTF-8 BOM and ";"', utf8('\uFEFFEmail;First Name;Country\n"A@x.io";"Ann";DE\nbroken;Bo;FR\nc@x.io;Cy;FR;extra\n'), 'utf-8', 'auto', 'auto', 'auto'],
	['CSV whose first quoted value holds line breaks (delimiter detected past them)', utf8('"e\nmail";"na\nme"\na@x.io;"multi\nline"\n'), 'utf-8', 'csv', 'yes', 'auto'],
	['CSV without header, e-mail in the second column', utf8('Ann,ann@x.io\nBo,bo@x.io'), 'utf-8', 'auto', 'auto', 'auto'],
	['CSV with repeated and reserved header names', utf8('email,phone,phone,__proto__\na@x.io,1,2,p\n'), 'utf-8', 'auto', 'auto', 'auto'],
	['CSV with tab delimiter chosen', utf8('email\tname\nq@w.io\tQ\n'), 'utf-8', 'csv', 'yes', '\\t'],
	['CSV header only', utf8('email,name\n'), 'utf-8', 'auto', 'auto', 'auto'],
	['empty file', utf8(''), 'utf-8', 'auto', 'auto', 'auto'],
	['blank file', utf8(' \n\t\n'), 'utf-8', 'auto', 'auto', 'auto'],
	['Latin-1', Buffer.from('email;Stadt\na@x.io;München\n', 'latin1'), 'latin1', 'auto', 'auto', 'auto'],
	['Windows-1252', Buffer.from([...utf8('email;Stadt;Preis\na@x.io;M'), 0xfc, ...utf8('nchen;9 '), 0x80, 0x0a]), 'windows-1252', 'auto', 'auto', 'auto'],
	['Latin-1 chosen, but a UTF-8 BOM', utf8('\uFEFFemail;Stadt\na@x.io;München\n'), 'latin1', 'auto', 'auto', 'auto'],
	['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email;Stadt\na@x.io;München 😀\n', 'utf16le')]), 'utf-8', 'auto', 'auto', 'auto'],
	['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('email;Stadt\na@x.io;München 😀\n', 'utf16le').swap16()]), 'utf-8', 'auto', 'auto', 'auto'],
	['gzip', gzipSync(utf8(CSV.repeat(50))), 'utf-8', 'auto', 'auto', 'auto'],
	['JSON array: objects, other elements, nesting, escapes', utf8(' [{"email":"a@x.io","tags":["x]","y"],"o":{"k":"}"}}, 5, "s\\"]" ,{"email":"b@x.io","__proto__":{"p":1},"n":"日本"}]\n'), 'utf-8', 'auto', 'auto', 'auto'],
	['empty JSON array', utf8('[ ]'), 'utf-8', 'auto', 'auto', 'auto'],
	['one JSON object', utf8('{"email":"a@x.io"}'), 'utf-8', 'auto', 'auto', 'auto'],
	['NDJSON by content', utf8('{"email":"a@x.io"}\r\n\n{bad}\n[1]\n{"email":"b@x.io","n":"😀"}'), 'utf-8', 'auto', 'auto', 'auto'],
	['NDJSON by name', utf8('{"email":"a@x.io"}\n'), 'utf-8', 'auto', 'auto', 'auto', 'people.jsonl'],
	// Unreadable files: the same message, line and column.
	['unclosed quote', utf8('email,name\na@x.io,"open\nb@x.io,Bo\n'), 'utf-8', 'auto', 'auto', 'auto'],
	['unclosed quote after a doubled quote', utf8('email,name\na@x.io,"x""y"\nb@x.io,"""open\nc\n'), 'utf-8', 'auto', 'auto', 'auto'],
	['not UTF-8', Buffer.from('email;Stadt\na@x.io;München\n', 'latin1'), 'utf-8', 'auto', 'auto', 'auto'],
	['UTF-8 cut short at the end', Buffer.concat([utf8('email\na@x.io\n'), Buffer.from([0xe6, 0x97])]), 'utf-8', 'auto', 'auto', 'auto'],
	['ZIP archive', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]), 'utf-8', 'auto', 'auto', 'auto'],
	['binary with NUL bytes', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'utf-8', 'auto', 'auto', 'auto'],
	['corrupt gzip', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]), 'utf-8', 'auto', 'auto', 'auto'],
];

describe('streamed reading gives what reading the whole file gives', () => {
	// One argument besides the label: jest would take a seventh parameter missing from a row for its done callback.
	test.each(FIXTURES.map((fixture) => [fixture[0], fixture] as const))('%s', async (_label, [, bytes, encoding, format, header, delimiter, fileName]) => {
		const expected = await buffered(bytes, encoding, format, header, delimiter, fileName);
		for (const size of [1, 2, 3, 5, 7, 64, 65536]) {
			expect([size, await streamed(bytes, size, encoding, format, header, delimiter, fileName)]).toEqual([size, expected]);
		}
	});

	test('rows gives the rows of the batches one by one', async () => {
		const bytes = utf8(CSV.repeat(50));
		const read = readFileStream(decodeStream(async () => slices(bytes, 100), 'utf-8', 1e9), 'auto', 'auto', 'auto');
		const rows = [];
		for await (const row of read.rows) rows.push(row);
		const expected = await buffered(bytes, 'utf-8', 'auto', 'auto', 'auto');
		expect({ rows, notes: read.notes }).toEqual({ rows: expected.rows, notes: expected.notes });
	});

	test("a CSV file's values of one field, once asked for, are the rows' values of it", async () => {
		const csvFixtures = FIXTURES.filter(([label]) => label.startsWith('CSV') || label === 'gzip' || label === 'Latin-1' || label === 'Windows-1252');
		for (const [label, bytes, encoding, format, header, delimiter, fileName] of csvFixtures) {
			const whole = await buffered(bytes, encoding, format, header, delimiter, fileName);
			const rows = whole.rows as FileRow[];
			const field = Object.keys(rows.find((row) => row.record)?.record ?? { email: '' })[0];
			const valueOf = (row: FileRow, name: string) => (row.record ? (ownValue(row.record, name) as string | undefined) : null);
			for (const [name, after, size] of [[field, 0, 7], [field, 1, 3], [field, 2, 65536], [field, 1000, 5], [field, -1, 2], ['no such field', -1, 64]] as const) {
				const read = readFileStream(decodeStream(async () => slices(bytes, size), encoding, 1e9), format, header, delimiter, fileName);
				const values: Array<string | null | undefined> = [];
				if (after < 0) read.onlyColumn(name);
				for await (const batch of read.batches) {
					if (Array.isArray(batch)) values.push(...batch.map((row) => valueOf(row, name)));
					else values.push(...batch.values);
					if (values.length >= after) read.onlyColumn(name);
				}
				expect([label, name, after, size, values]).toEqual([label, name, after, size, rows.map((row) => valueOf(row, name))]);
			}
		}
	});

	test('invalid JSON is an unreadable file, as when read whole', async () => {
		for (const text of ['[{"email":"a@x.io"},\n {"email": }]', '[{"email":"a@x.io"},]', '[{"email":"a@x.io"}] x', '[{"email":"a@x.io"}']) {
			const result = await streamed(utf8(text), 3, 'utf-8', 'json', 'auto', 'auto');
			expect(result.error?.message).toMatch(/^The file is not valid JSON/);
			expect((await buffered(utf8(text), 'utf-8', 'json', 'auto', 'auto')).error?.message).toMatch(/^The file is not valid JSON/);
		}
	});

	test('the fingerprint table says which addresses repeat, across its growth', () => {
		const table = new RepeatedEmails();
		for (let index = 0; index < 200_000; index++) table.add(`user${index}@example.com`);
		for (let index = 0; index < 200_000; index += 1000) table.add(`user${index}@example.com`);
		expect(table.repeated).toBe(200);
		let repeating = 0;
		for (let index = 0; index < 200_000; index++) if (table.repeats(`user${index}@example.com`)) repeating++;
		expect(repeating).toBe(200);
		expect(table.repeats('nobody@example.com')).toBe(false);
		expect([table.rows('user0@example.com'), table.rows('user1@example.com'), table.rows('nobody@example.com')]).toEqual([2, 1, 0]);
	});
});

function sourceV2(parameters: IDataObject): Pick<IWorkflowBase, 'nodes' | 'connections'> {
	const workflow = chain({ name: 'Segment Source', type: 'segmentSource', parameters } as NodeSpec);
	for (const node of workflow.nodes) if (node.name === 'Segment Source') node.typeVersion = 2;
	return workflow;
}

async function partText(binary: IBinaryData): Promise<string> {
	return (await (await binaryDataService()).getAsBuffer(binary)).toString('utf8');
}

/** A file as n8n keeps it in filesystem mode (stored, the item holds its id), or in the item (base64). */
async function fileItem(bytes: Buffer, fileName: string, stored: boolean): Promise<INodeExecutionData> {
	const binary: IBinaryData = { data: bytes.toString('base64'), mimeType: 'text/plain', fileName };
	if (stored) {
		binary.data = '';
		await (await binaryDataService()).store({ type: 'execution', workflowId: 'test-workflow', executionId: 'input' }, bytes, binary);
	}
	return { json: {}, binary: { data: binary } };
}

interface Outcome {
	members: IDataObject[];
	invalid: IDataObject[];
	accounting: IDataObject;
	hints: string[];
	parts: INodeExecutionData[];
	items: INodeExecutionData[];
}

async function runSource(parameters: IDataObject, startItems?: INodeExecutionData[]): Promise<Outcome> {
	const result = await runWorkflow(sourceV2(parameters), { startItems });
	const error = result.nodeError('Segment Source');
	if (error) throw error;
	const items = result.output('Segment Source', 0);
	const parts = items.filter((item) => item.json.segmentSourceMemberFile === true);
	const members: IDataObject[] = [];
	for (const part of parts) for (const line of (await partText(part.binary!.members)).trim().split('\n')) members.push(JSON.parse(line) as IDataObject);
	if (!parts.length) for (const item of items) if (!item.json.segmentSourceAccounting) members.push(item.json);
	const hints = (result.run.data.resultData.runData['Segment Source'][0].hints ?? []).map((hint) => hint.message);
	return { members, invalid: result.output('Segment Source', 1).map((item) => item.json), accounting: items.at(-1)!.json.accounting as IDataObject, hints, parts, items };
}

const byEmail = (members: IDataObject[]) => [...members].sort((a, b) => String(a.email).localeCompare(String(b.email)));

/** A CSV where addresses repeat far apart, with values that merge, and invalid rows. */
function duplicatesCsv(): string {
	const lines = ['email,firstName,lastName,city,updatedAt,plan'];
	for (let index = 0; index < 3000; index++) {
		if (index % 500 === 7) lines.push(`broken${index},X,Y,Z,2026-01-01,free`);
		else if (index % 700 === 3) lines.push(`,No,Mail,Nowhere,2026-01-01,free`);
		// Every tenth row repeats an address from far back (and from the start), with other values.
		const id = index % 10 === 9 ? index % 37 : index;
		const first = index % 3 ? `First${index}` : '';
		lines.push(`${id % 2 ? 'User' : 'user'}${id}@Example.com,${first},Last${index},${index % 4 ? '' : `City${index}`},2026-0${1 + (index % 9)}-01,${index % 5 ? 'pro' : ''}`);
	}
	lines.push('"quoted@example.com","Multi\nLine","Q",Here,2026-02-02,pro');
	return lines.join('\n') + '\n';
}

describe('Segment Source with the Member File output: the same result as reading the whole file', () => {
	test.each([
		['first non-empty value wins', {}],
		['most recent row wins', { mergeRule: 'mostRecent', timestampField: 'updatedAt' }],
	])('duplicates merged across the whole file (%s), invalid rows and counts, from a stored file and from the item', async (_label, mergeOptions) => {
		const csv = Buffer.from(duplicatesCsv());
		const expected = await runSource({ source: 'file', options: { outputMode: 'members', maxInvalidItems: 100_000, ...mergeOptions } }, [await fileItem(csv, 'p.csv', false)]);
		expect(expected.accounting.merged).toBeGreaterThan(250);
		for (const stored of [true, false]) {
			const streamedRun = await runSource({ source: 'file', options: { outputMode: 'memberFile', memberFilePartSize: 700, maxInvalidItems: 100_000, ...mergeOptions } }, [await fileItem(csv, 'p.csv', stored)]);
			expect(streamedRun.parts.length).toBeGreaterThan(3);
			expect(byEmail(streamedRun.members)).toEqual(byEmail(expected.members));
			expect(streamedRun.invalid).toEqual(expected.invalid);
			expect(streamedRun.accounting).toEqual(expected.accounting);
			expect(streamedRun.hints).toEqual(expected.hints.filter((hint) => !hint.includes('choose Options → Output')));
		}
	});

	test('order: a member whose address repeats comes where its last row is', async () => {
		const csv = Buffer.from('email,n\na@x.io,1\nb@x.io,2\nA@x.io,3\nc@x.io,4\n');
		const { members } = await runSource({ source: 'file', options: { outputMode: 'memberFile' } }, [await fileItem(csv, 'p.csv', true)]);
		expect(members.map((member) => [member.email, member.n])).toEqual([
			['b@x.io', '2'],
			['a@x.io', '1'],
			['c@x.io', '4'],
		]);
	});

	test('JSON and NDJSON files, and an unreadable file fails as before, naming line and column', async () => {
		const json = Buffer.from(JSON.stringify([{ email: 'a@x.io', n: 1 }, 5, { email: 'A@x.io', n: 2, city: 'Lyon' }, { email: 'b@x.io' }]));
		for (const [bytes, name] of [
			[json, 'p.json'],
			[Buffer.from('{"email":"a@x.io"}\n{"email":"b@x.io"}\nnot json\n{"email":"A@X.IO","city":"Lyon"}\n'), 'p.ndjson'],
		] as const) {
			const expected = await runSource({ source: 'file' }, [await fileItem(bytes, name, true)]);
			const streamedRun = await runSource({ source: 'file', options: { outputMode: 'memberFile' } }, [await fileItem(bytes, name, true)]);
			expect(byEmail(streamedRun.members)).toEqual(byEmail(expected.members));
			expect(streamedRun.invalid).toEqual(expected.invalid);
			expect(streamedRun.accounting).toEqual(expected.accounting);
		}
		const result = await runWorkflow(sourceV2({ source: 'file', options: { outputMode: 'memberFile' } }), {
			startItems: [await fileItem(Buffer.from('email,name\na@x.io,"never closed\n'), 'profiles.csv', true)],
		});
		const error = result.nodeError('Segment Source')!;
		expect(error.message).toBe('Unreadable file "profiles.csv": A quoted value opened at line 2, column 8 is never closed');
		expect(error.description).toBe('Line 2, column 8. Nothing was read.');
	});

	test('more rows than the limit, or no e-mail field, fail as before', async () => {
		const limit = await runWorkflow(sourceV2({ source: 'file', options: { outputMode: 'memberFile', maxProfiles: 2 } }), {
			startItems: [await fileItem(Buffer.from('email\na@x.io\nb@x.io\nc@x.io\n'), 'p.csv', true)],
		});
		expect(limit.nodeError('Segment Source')!.message).toBe('3 profiles, more than the limit of 2');
		const noEmail = await runWorkflow(sourceV2({ source: 'file', options: { outputMode: 'memberFile' } }), {
			startItems: [await fileItem(Buffer.from('name,city\nAnn,Lyon\n'), 'p.csv', true)],
		});
		expect(noEmail.nodeError('Segment Source')!.message).toBe('No e-mail field found: the input has no field "email"');
	});

	test.each([true, false])('the generated sample (problem rows: %s): the same members, invalid rows and counts', async (problemRows) => {
		const parameters = { source: 'sample', sampleSize: 3000, sampleProblemRows: problemRows };
		const expected = await runSource({ ...parameters, options: { outputMode: 'members' } });
		const streamedRun = await runSource({ ...parameters, options: { outputMode: 'memberFile', memberFilePartSize: 1000 } });
		expect(byEmail(streamedRun.members)).toEqual(byEmail(expected.members));
		expect(streamedRun.invalid).toEqual(expected.invalid);
		expect(streamedRun.accounting).toEqual(expected.accounting);
		if (!problemRows) expect(streamedRun.members).toEqual(expected.members);
	});
});

describe('invalid rows past "Invalid Rows as Items" (version 2) go to a file', () => {
	const csv = Buffer.from(['email,name', 'a@x.io,A', 'broken1,B', ',C', 'broken2,D', 'b@x.io,E', 'broken3,F', 'broken4,G'].join('\n'));

	test.each(['members', 'memberFile'])('output %s: the first as items, the rest in an NDJSON file on the accounting item; counts exact', async (outputMode) => {
		const all = await runSource({ source: 'file', options: { outputMode, maxInvalidItems: 100 } }, [await fileItem(csv, 'p.csv', true)]);
		expect(all.invalid).toHaveLength(5);
		const limited = await runSource({ source: 'file', options: { outputMode, maxInvalidItems: 2 } }, [await fileItem(csv, 'p.csv', true)]);
		expect(limited.invalid).toEqual(all.invalid.slice(0, 2));
		const accountingItem = limited.items.at(-1)!;
		expect(limited.accounting).toEqual({ ...all.accounting, invalidRowsInFile: 3 });
		expect(limited.accounting).toMatchObject({ rows: 7, members: 2, invalid: 5, invalidByReason: { invalid_email: 4, missing_email: 1 } });
		const file = accountingItem.binary!.invalidRows;
		expect(file).toMatchObject({ fileName: 'invalid-rows.ndjson', mimeType: 'application/x-ndjson' });
		const lines = (await partText(file)).trim().split('\n').map((line) => JSON.parse(line) as IDataObject);
		expect(lines).toEqual(all.invalid.slice(2));
		expect(limited.hints).toContain('5 invalid rows: the first 2 are items on Invalid, the other 3 are in the NDJSON file "invalidRows" on the accounting item (last item of Members) (Options → Invalid Rows as Items)');
	});

	test('without the accounting item, the file comes on a last item of Invalid', async () => {
		const result = await runWorkflow(sourceV2({ source: 'file', options: { outputMode: 'memberFile', maxInvalidItems: 0, accountingItem: false } }), {
			startItems: [await fileItem(csv, 'p.csv', true)],
		});
		const invalid = result.output('Segment Source', 1);
		expect(invalid).toHaveLength(1);
		expect(invalid[0].json).toEqual({ segmentSourceInvalidRowsFile: true, rows: 5 });
		expect((await partText(invalid[0].binary!.invalidRows)).trim().split('\n')).toHaveLength(5);
	});

	test('version 1 keeps every invalid row as an item, and its accounting unchanged', async () => {
		const rows = ['email', ...Array.from({ length: 1500 }, (_, index) => `broken${index}`), 'ok@x.io'].join('\n');
		const result = await runWorkflow(chain({ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'file', options: { accountingItem: true } } }), {
			startItems: [await fileItem(Buffer.from(rows), 'p.csv', true)],
		});
		expect(result.output('Segment Source', 1)).toHaveLength(1500);
		const accounting = result.output('Segment Source', 0).at(-1)!;
		expect(accounting.binary).toBeUndefined();
		expect(accounting.json.accounting).toMatchObject({ invalid: 1500, members: 1 });
		expect(accounting.json.accounting).not.toHaveProperty('invalidRowsInFile');
		// Version 2 by default: 1,000 items and the rest in the file.
		const v2 = await runSource({ source: 'file' }, [await fileItem(Buffer.from(rows), 'p.csv', true)]);
		expect(v2.invalid).toHaveLength(1000);
		expect(v2.accounting).toMatchObject({ invalid: 1500, invalidRowsInFile: 500 });
	});
});
