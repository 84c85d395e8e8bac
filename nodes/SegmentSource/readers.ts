import { Parser } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import type { IDataObject } from 'n8n-workflow';

import { ownValue, setField } from './ownFields';

/** A row read from a file, with the line it starts on (1-based, header included). */
export interface FileRow {
	record?: IDataObject;
	line: number;
	/** Why the row could not be read; the row goes to Invalid. */
	problem?: string;
}

/** A file that cannot be read at all; `line` and `column` say where, `advice` what to do when not that. */
export class UnreadableFile extends Error {
	constructor(
		message: string,
		readonly line: number,
		readonly column: number,
		readonly advice?: string,
	) {
		super(message);
	}
}

export type FileFormat = 'auto' | 'csv' | 'json' | 'ndjson';
export type HeaderMode = 'auto' | 'yes' | 'no';

const DELIMITERS = [',', ';', '\t', '|'];

function stripBom(text: string): string {
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON when the first non-blank character opens an array or object, CSV otherwise. */
export function detectFormat(text: string, fileName = ''): Exclude<FileFormat, 'auto'> {
	const name = fileName.toLowerCase();
	if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
	const first = text.trimStart()[0];
	if (first === '[') return 'json';
	if (first === '{') {
		const firstLine = text.trimStart().split('\n', 1)[0].trim();
		return firstLine.endsWith('}') && text.trim().includes('\n') ? 'ndjson' : 'json';
	}
	return 'csv';
}

export function readFile(text: string, format: FileFormat, header: HeaderMode, delimiter: string, fileName?: string): FileRow[] {
	return readFileWithNotes(text, format, header, delimiter, fileName).rows;
}

/** The rows, and what was decided on the way (header row, renamed columns) for the hints. */
export function readFileWithNotes(text: string, format: FileFormat, header: HeaderMode, delimiter: string, fileName?: string): ReadResult {
	const content = stripBom(text);
	const empty = content.trim() === '';
	if (empty) return { rows: [], empty };
	const chosen = format === 'auto' ? detectFormat(content, fileName) : format;
	if (chosen === 'json') return { rows: readJsonArray(content), empty };
	if (chosen === 'ndjson') return { rows: readNdjson(content), empty };
	return { ...readCsv(content, header, delimiter), empty };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch (error) {
		return { ok: false, message: (error as Error).message };
	}
}

function readJsonArray(text: string): FileRow[] {
	const parsed = parseJson(text);
	if (!parsed.ok) {
		const at = /position (\d+)/.exec(parsed.message);
		const offset = at ? Number(at[1]) : 0;
		const before = text.slice(0, offset);
		throw new UnreadableFile(`The file is not valid JSON (${parsed.message})`, before.split('\n').length, offset - before.lastIndexOf('\n'));
	}
	const value = parsed.value;
	const list = Array.isArray(value) ? value : [value];
	return list.map((entry, index) => jsonElementRow(entry, index));
}

/** Element `index` (from 0) of a JSON array as a row. */
function jsonElementRow(entry: unknown, index: number): FileRow {
	return entry && typeof entry === 'object' && !Array.isArray(entry)
		? { record: entry as IDataObject, line: index + 1 }
		: { line: index + 1, problem: `Element ${index + 1} of the JSON array is not an object` };
}

/** Line `index` (from 0) of an NDJSON file as a row; undefined for a blank line. */
function ndjsonLineRow(text: string, index: number): FileRow | undefined {
	const line = text.trim();
	if (!line) return undefined;
	const parsed = parseJson(line);
	if (!parsed.ok) return { line: index + 1, problem: `Line ${index + 1} is not valid JSON (${parsed.message})` };
	if (parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) return { record: parsed.value as IDataObject, line: index + 1 };
	return { line: index + 1, problem: `Line ${index + 1} is not a JSON object` };
}

function readNdjson(text: string): FileRow[] {
	const rows: FileRow[] = [];
	const lines = text.split('\n');
	for (let index = 0; index < lines.length; index++) {
		const row = ndjsonLineRow(lines[index], index);
		if (row) rows.push(row);
	}
	return rows;
}

/** The delimiter that splits the first line into the most fields, counting only outside quotes. */
export function detectDelimiter(text: string): string {
	const counts = new Map(DELIMITERS.map((d) => [d, 0]));
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (char === '"') quoted = !quoted;
		else if (!quoted && (char === '\n' || char === '\r')) break;
		else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
	}
	let best = ',';
	for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
	return best;
}

/** Where the quoted value that is never closed opens, for the error message (only read on that error). */
function openQuoteAt(text: string, delimiter: string): { line: number; column: number } {
	let line = 1;
	let lineStart = 0;
	let quoted = false;
	let atCellStart = true;
	let opened = { line: 1, column: 1 };
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (char === '\n') {
			line++;
			lineStart = i + 1;
		}
		if (quoted) {
			if (char === '"') {
				if (text[i + 1] === '"') i++;
				else quoted = false;
			}
		} else if (char === '"' && atCellStart) {
			quoted = true;
			opened = { line, column: i - lineStart + 1 };
		} else atCellStart = char === delimiter || char === '\n' || char === '\r';
		if (!quoted && char === '"') atCellStart = false;
	}
	return opened;
}

/** Line breaks inside a record's quoted values: the record spans that many more lines. */
function breaksInside(cells: string[]): number {
	let breaks = 0;
	for (const cell of cells) if (cell.includes('\n') || cell.includes('\r')) breaks += cell.match(/\r\n|\r|\n/g)!.length;
	return breaks;
}

/**
 * CSV records from csv-parse (RFC 4180: quoted values may hold delimiters, doubled quotes and line
 * breaks), with the line each record starts on. Lines may end in CRLF, LF or CR, mixed; rows may have
 * any number of values (checked against the header by the caller); a quote inside an unquoted value is
 * kept as it is.
 */
function csvRecords(text: string, delimiter: string): Array<{ cells: string[]; line: number }> {
	let records: string[][] = [];
	let failure: { code?: string; lines?: number; message: string } | undefined;
	try {
		records = parse(text, { delimiter, bom: true, relax_column_count: true, relax_quotes: true, record_delimiter: ['\r\n', '\n', '\r'], skip_empty_lines: false });
	} catch (error) {
		failure = error as { code?: string; lines?: number; message: string };
	}
	if (failure?.code === 'CSV_QUOTE_NOT_CLOSED') {
		const { line, column } = openQuoteAt(text, delimiter);
		throw new UnreadableFile(`A quoted value opened at line ${line}, column ${column} is never closed`, line, column);
	}
	if (failure) throw new UnreadableFile(`The CSV cannot be read (${failure.message})`, failure.lines ?? 1, 1);
	const located: Array<{ cells: string[]; line: number }> = new Array(records.length);
	let line = 1;
	for (let index = 0; index < records.length; index++) {
		located[index] = { cells: records[index], line };
		line += 1 + breaksInside(records[index]);
	}
	return located;
}

function looksLikeHeader(cells: string[]): boolean {
	return cells.every((cell) => !cell.includes('@') && !/^\s*[-+]?\d+([.,]\d+)?\s*$/.test(cell));
}

/** What the reader did with a CSV file's first rows, for the hints. */
export interface CsvNotes {
	/** The row taken as the header; `guessed` when "Detect" took it. */
	header?: { line: number; guessed: boolean; cells: string[] };
	/** Header names that repeat, renamed so that no value overwrites another. */
	renamed: Array<{ column: number; from: string; to: string }>;
}

export interface ReadResult {
	rows: FileRow[];
	/** CSV only. */
	csv?: CsvNotes;
	/** Nothing but blank space in the file. */
	empty: boolean;
}

/** Header cells as field names: blank ones numbered, repeated ones suffixed _2, _3… (never clashing). */
function columnNames(cells: string[], renamed: CsvNotes['renamed']): string[] {
	const names = cells.map((cell, index) => cell.trim() || `column${index + 1}`);
	const taken = new Set(names);
	const seen = new Set<string>();
	return names.map((name, index) => {
		if (!seen.has(name)) {
			seen.add(name);
			return name;
		}
		let suffix = 2;
		while (taken.has(`${name}_${suffix}`)) suffix++;
		const unique = `${name}_${suffix}`;
		taken.add(unique);
		renamed.push({ column: index + 1, from: name, to: unique });
		return unique;
	});
}

/** Turns CSV records into rows: the header (given or guessed), then one row per record. */
class CsvRows {
	readonly notes: CsvNotes = { renamed: [] };
	private columns: string[] | undefined;
	private reserved = false;

	/** The column `value` reads, found once. */
	private valueColumn: { name: string; index: number } | undefined;

	constructor(private readonly header: HeaderMode) {}

	/**
	 * The value `row` would give the row's field `name`, without making the row: '' when the record
	 * stops before that column, undefined when no column has that name, null when the row cannot be
	 * read; false for the header and blank lines (no row).
	 */
	value(cells: string[], line: number, name: string): string | null | undefined | false {
		const columns = this.columns;
		if (!columns || (cells.length === 1 && cells[0].trim() === '')) {
			const row = this.row(cells, line);
			if (!row) return false;
			return row.record ? (ownValue(row.record, name) as string | undefined) : null;
		}
		if (cells.length > columns.length) return null;
		if (this.valueColumn?.name !== name) this.valueColumn = { name, index: columns.indexOf(name) };
		const { index } = this.valueColumn;
		if (index < 0) return undefined;
		return index < cells.length ? cells[index] : '';
	}

	/** The row of a record; undefined for the header and blank lines. */
	row(cells: string[], line: number): FileRow | undefined {
		if (cells.length === 1 && cells[0].trim() === '') return undefined;
		let columns = this.columns;
		if (!columns) {
			const guessed = this.header === 'auto' && looksLikeHeader(cells);
			if (this.header === 'yes' || guessed) {
				this.columns = columnNames(cells, this.notes.renamed);
				this.reserved = this.columns.includes('__proto__');
				this.notes.header = { line, guessed, cells: [...cells] };
				return undefined;
			}
			columns = this.columns = cells.map((_, index) => `column${index + 1}`);
		}
		if (cells.length > columns.length) return { line, problem: `Row at line ${line} has ${cells.length} values but the header has ${columns.length} columns` };
		const record: IDataObject = {};
		for (let index = 0; index < columns.length; index++) {
			const value = index < cells.length ? cells[index] : '';
			if (this.reserved) setField(record, columns[index], value);
			else record[columns[index]] = value;
		}
		return { record, line };
	}
}

function csvDelimiter(text: string, choice: string): string {
	return choice === 'auto' || !choice ? detectDelimiter(text) : choice === '\\t' ? '\t' : choice;
}

function readCsv(text: string, header: HeaderMode, delimiterChoice: string): { rows: FileRow[]; csv: CsvNotes } {
	const delimiter = csvDelimiter(text, delimiterChoice);
	const rows: FileRow[] = [];
	const reader = new CsvRows(header);
	for (const { cells, line } of csvRecords(text, delimiter)) {
		const row = reader.row(cells, line);
		if (row) rows.push(row);
	}
	return { rows, csv: reader.notes };
}

// Streaming: the same rows as readFileWithNotes, read from the file's text chunk by chunk. Whatever
// the whole file would make unreadable is found as the reading reaches it; where the message needs a
// position counted from the start (an unclosed quote, invalid JSON), the text is read again for it.

/** Opens the file's text anew, as chunks (each call reads from the start). */
export type TextSource = () => AsyncIterable<string>;

/** What streaming decided, complete once the rows are read. */
export interface StreamNotes {
	empty: boolean;
	csv?: CsvNotes;
}

/** The part of csv-parse's parser that takes bytes as they come (what its sync and stream interfaces call). */
interface CsvParserApi {
	parse(bytes: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
}

/** The chunks with the text that was read ahead put back in front. */
async function* withHead(head: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
	if (head) yield head;
	for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** Whether `text` holds enough of the start of the file to choose its format and delimiter as the whole file would. */
function headDecides(text: string, format: FileFormat, delimiterChoice: string, fileName: string): boolean {
	const first = text.search(/\S/);
	if (first < 0) return false;
	let chosen = format;
	if (format === 'auto') {
		const name = fileName.toLowerCase();
		if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) chosen = 'ndjson';
		else if (text[first] === '[') chosen = 'json';
		else if (text[first] === '{') {
			// NDJSON when the first line is one object and something follows it.
			const lineEnd = text.indexOf('\n', first);
			return lineEnd >= 0 && /\S/.test(text.slice(lineEnd));
		} else chosen = 'csv';
	}
	if (chosen !== 'csv' || !(delimiterChoice === 'auto' || !delimiterChoice)) return true;
	return firstLineEnds(text);
}

/** Whether the first line ends within `text`, as detectDelimiter reads it (quotes toggle). */
function firstLineEnds(text: string): boolean {
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (char === '"') quoted = !quoted;
		else if (!quoted && (char === '\n' || char === '\r')) return true;
	}
	return false;
}

/**
 * The rows of a file read as a stream: the same rows, notes and errors as readFileWithNotes on the
 * whole text, one by one (`rows`) or a few at a time (`batches`, of at most BATCH_ROWS rows: fewer
 * steps through the asynchronous generators, whose objects were most of what reading allocated).
 * Read one of the two. `notes` is complete once every row has been read.
 */
export function readFileStream(
	open: TextSource,
	format: FileFormat,
	header: HeaderMode,
	delimiterChoice: string,
	fileName = '',
): { rows: AsyncGenerator<FileRow>; batches: AsyncGenerator<FileRow[] | ColumnValues>; onlyColumn: (name: string) => void; notes: StreamNotes } {
	const notes: StreamNotes = { empty: true };
	const only: { column?: string } = {};
	async function* batches(): AsyncGenerator<FileRow[] | ColumnValues> {
		const chunks = open()[Symbol.asyncIterator]();
		let head = '';
		let ended = false;
		let first = true;
		while (!headDecides(head, format, delimiterChoice, fileName)) {
			const next = await chunks.next();
			if (next.done) {
				ended = true;
				break;
			}
			head += first ? stripBom(next.value) : next.value;
			first = false;
		}
		if (ended && !/\S/.test(head)) return;
		notes.empty = false;
		const chosen = format === 'auto' ? detectFormat(head, fileName) : format;
		const text = withHead(head, chunks);
		if (chosen === 'json') yield* batched(jsonArrayStream(text, open));
		else if (chosen === 'ndjson') yield* batched(ndjsonStream(text));
		else {
			const reader = new CsvRows(header);
			notes.csv = reader.notes;
			yield* csvBatches(text, csvDelimiter(head, delimiterChoice), reader, open, only);
		}
	}
	async function* rows(): AsyncGenerator<FileRow> {
		for await (const batch of batches()) if (Array.isArray(batch)) yield* batch;
	}
	return {
		rows: rows(),
		batches: batches(),
		/** From the next batch on, a CSV file's batches give only the values of this field (JSON and NDJSON go on giving rows). */
		onlyColumn: (name: string) => {
			only.column = name;
		},
		notes,
	};
}

/**
 * One field's value in each row of a batch (as CsvRows.value gives it), for a pass that needs no
 * more: Segment Source's first pass, once it knows the e-mail field, makes no row object at all.
 */
export interface ColumnValues {
	values: Array<string | null | undefined>;
}

/**
 * Rows handed on together: a step through the asynchronous generators per row allocated about as much
 * as reading itself (two passes over 1,000,000 rows: 6.8 GB allocated, 3.5 GB in batches). Few rows,
 * so that few are alive at once: V8 makes an allocation site's objects in old space from birth when
 * most of those made since its last collection are alive at one, and a row in old space keeps its
 * cell strings until the next full collection.
 */
export const BATCH_ROWS = 64;

/** CSV bytes given to csv-parse at a time: it makes all their records at once (a few dozen). */
const CSV_SLICE_BYTES = 2048;

async function* batched(rows: AsyncIterable<FileRow>): AsyncGenerator<FileRow[]> {
	let batch: FileRow[] = [];
	for await (const row of rows) {
		batch.push(row);
		if (batch.length === BATCH_ROWS) {
			yield batch;
			batch = [];
		}
	}
	if (batch.length) yield batch;
}

async function* ndjsonStream(text: AsyncIterable<string>): AsyncGenerator<FileRow> {
	let pending = '';
	let index = 0;
	for await (const chunk of text) {
		pending += chunk;
		let start = 0;
		for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
			const row = ndjsonLineRow(pending.slice(start, end), index++);
			start = end + 1;
			if (row) yield row;
		}
		pending = pending.slice(start);
	}
	const row = ndjsonLineRow(pending, index);
	if (row) yield row;
}

async function* csvBatches(text: AsyncIterable<string>, delimiter: string, reader: CsvRows, open: TextSource, only: { column?: string }): AsyncGenerator<FileRow[] | ColumnValues> {
	const api = (new Parser({ delimiter, bom: true, relax_column_count: true, relax_quotes: true, record_delimiter: ['\r\n', '\n', '\r'], skip_empty_lines: false }) as unknown as { api: CsvParserApi }).api;
	const records: string[][] = [];
	const push = (record: string[]) => records.push(record);
	const close = () => {};
	let line = 1;
	const fail = async (error: Error): Promise<never> => {
		const failure = error as Error & { code?: string; lines?: number };
		if (failure.code === 'CSV_QUOTE_NOT_CLOSED') {
			const { line: at, column } = await openQuoteInStream(open(), delimiter);
			throw new UnreadableFile(`A quoted value opened at line ${at}, column ${column} is never closed`, at, column);
		}
		throw new UnreadableFile(`The CSV cannot be read (${failure.message})`, failure.lines ?? 1, 1);
	};
	/**
	 * The rows (or values) of the records parsed so far, in batches of at most BATCH_ROWS. Each record
	 * is emptied once read: should V8 make csv-parse's records in old space, they would otherwise keep
	 * their cell strings alive past young collections.
	 */
	const take = function* (): Generator<FileRow[] | ColumnValues> {
		if (only.column !== undefined) {
			let values: ColumnValues['values'] = [];
			for (const cells of records) {
				const value = reader.value(cells, line, only.column);
				line += 1 + breaksInside(cells);
				cells.length = 0;
				if (value === false) continue;
				values.push(value);
				if (values.length === BATCH_ROWS) {
					yield { values };
					values = [];
				}
			}
			records.length = 0;
			if (values.length) yield { values };
			return;
		}
		let batch: FileRow[] = [];
		for (const cells of records) {
			const row = reader.row(cells, line);
			line += 1 + breaksInside(cells);
			cells.length = 0;
			if (!row) continue;
			batch.push(row);
			if (batch.length === BATCH_ROWS) {
				yield batch;
				batch = [];
			}
		}
		records.length = 0;
		if (batch.length) yield batch;
	};
	for await (const chunk of text) {
		const bytes = Buffer.from(chunk);
		for (let start = 0; start < bytes.length; start += CSV_SLICE_BYTES) {
			const error = api.parse(bytes.subarray(start, start + CSV_SLICE_BYTES), false, push, close);
			if (error) await fail(error);
			yield* take();
		}
	}
	const error = api.parse(undefined, true, push, close);
	if (error) await fail(error);
	yield* take();
}

/** openQuoteAt over a stream of text (a doubled quote may straddle two chunks). */
async function openQuoteInStream(text: AsyncIterable<string>, delimiter: string): Promise<{ line: number; column: number }> {
	let line = 1;
	let offset = 0;
	let lineStart = 0;
	let quoted = false;
	let atCellStart = true;
	let quoteSeen = false;
	let opened = { line: 1, column: 1 };
	for await (const chunk of text) {
		for (let i = 0; i < chunk.length; i++, offset++) {
			const char = chunk[i];
			if (quoteSeen) {
				quoteSeen = false;
				if (char === '"') continue;
				quoted = false;
				atCellStart = false;
			}
			if (char === '\n') {
				line++;
				lineStart = offset + 1;
			}
			if (quoted) {
				if (char === '"') quoteSeen = true;
			} else if (char === '"' && atCellStart) {
				quoted = true;
				opened = { line, column: offset - lineStart + 1 };
			} else atCellStart = char === delimiter || char === '\n' || char === '\r';
			if (!quoted && char === '"') atCellStart = false;
		}
	}
	return opened;
}

/** Line and column of a character offset in the text, counted as readJsonArray counts them. */
async function lineAndColumn(text: AsyncIterable<string>, offset: number): Promise<{ line: number; column: number }> {
	let line = 1;
	let lastBreak = -1;
	let seen = 0;
	for await (const chunk of text) {
		const upTo = Math.min(chunk.length, offset - seen);
		for (let at = chunk.indexOf('\n'); at !== -1 && at < upTo; at = chunk.indexOf('\n', at + 1)) {
			line++;
			lastBreak = seen + at;
		}
		seen += chunk.length;
		if (seen >= offset) break;
	}
	return { line, column: offset - lastBreak };
}

const JSON_SPACE = /[ \t\n\r]/;

/**
 * The elements of a JSON array one by one, each parsed on its own once its end is found; a file
 * holding one value other than an array is read whole, as readJsonArray reads it.
 */
async function* jsonArrayStream(text: AsyncIterable<string>, open: TextSource): AsyncGenerator<FileRow> {
	let pending = '';
	/** Characters of the text before `pending`. */
	let consumed = 0;
	let at = 0;
	let state: 'start' | 'first' | 'next' | 'element' | 'after' = 'start';
	let start = 0;
	let depth = 0;
	let inString = false;
	let index = 0;
	const fail = async (message: string, offset: number): Promise<never> => {
		const { line, column } = await lineAndColumn(open(), offset);
		throw new UnreadableFile(`The file is not valid JSON (${message})`, line, column);
	};
	const iterator = text[Symbol.asyncIterator]();
	for (;;) {
		const next = await iterator.next();
		if (next.done) break;
		pending += next.value;
		while (at < pending.length) {
			const char = pending[at];
			if (state === 'start') {
				if (JSON_SPACE.test(char)) at++;
				else if (char === '[') {
					state = 'first';
					at++;
				} else {
					// One value, not an array: read it whole.
					let whole = pending.slice(at);
					for (let more = await iterator.next(); !more.done; more = await iterator.next()) whole += more.value;
					for (const row of readJsonArray(whole)) yield row;
					return;
				}
			} else if (state === 'first' || state === 'next') {
				if (JSON_SPACE.test(char)) at++;
				else if (char === ']' && state === 'first') {
					state = 'after';
					at++;
				} else {
					state = 'element';
					start = at;
					depth = 0;
					inString = false;
				}
			} else if (state === 'element') {
				if (inString) {
					if (char === '\\') {
						if (at + 1 >= pending.length) break;
						at += 2;
						continue;
					}
					if (char === '"') inString = false;
					at++;
					continue;
				}
				if (char === '"') inString = true;
				else if (char === '{' || char === '[') depth++;
				else if ((char === '}' || char === ']') && depth > 0) depth--;
				else if ((char === ',' || char === ']') && depth === 0) {
					const element = pending.slice(start, at);
					const parsed = parseJson(element);
					if (!parsed.ok) {
						const position = /position (\d+)/.exec(parsed.message);
						await fail(parsed.message, consumed + start + (position ? Number(position[1]) : 0));
					} else yield jsonElementRow(parsed.value, index++);
					state = char === ',' ? 'next' : 'after';
				}
				at++;
			} else {
				if (!JSON_SPACE.test(char)) await fail(`Unexpected non-whitespace character after the array at position ${consumed + at}`, consumed + at);
				at++;
			}
			if (state !== 'element' && at > 65536) {
				consumed += at;
				pending = pending.slice(at);
				at = 0;
			}
		}
		if (state === 'element' && start > 65536) {
			consumed += start;
			pending = pending.slice(start);
			at -= start;
			start = 0;
		}
	}
	if (state === 'start') return;
	if (state !== 'after') await fail('Unexpected end of JSON input', consumed + pending.length);
}
