import { parse } from 'csv-parse/sync';
import type { IDataObject } from 'n8n-workflow';

import { setField } from './ownFields';

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
	return list.map((entry, index) =>
		entry && typeof entry === 'object' && !Array.isArray(entry)
			? { record: entry as IDataObject, line: index + 1 }
			: { line: index + 1, problem: `Element ${index + 1} of the JSON array is not an object` },
	);
}

function readNdjson(text: string): FileRow[] {
	const rows: FileRow[] = [];
	const lines = text.split('\n');
	for (let index = 0; index < lines.length; index++) {
		const line = lines[index].trim();
		if (!line) continue;
		const parsed = parseJson(line);
		if (!parsed.ok) rows.push({ line: index + 1, problem: `Line ${index + 1} is not valid JSON (${parsed.message})` });
		else if (parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) rows.push({ record: parsed.value as IDataObject, line: index + 1 });
		else rows.push({ line: index + 1, problem: `Line ${index + 1} is not a JSON object` });
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

function readCsv(text: string, header: HeaderMode, delimiterChoice: string): { rows: FileRow[]; csv: CsvNotes } {
	const delimiter = delimiterChoice === 'auto' || !delimiterChoice ? detectDelimiter(text) : delimiterChoice === '\\t' ? '\t' : delimiterChoice;
	const rows: FileRow[] = [];
	const notes: CsvNotes = { renamed: [] };
	let columns: string[] | undefined;
	let reserved = false;
	for (const { cells, line } of csvRecords(text, delimiter)) {
		if (cells.length === 1 && cells[0].trim() === '') continue;
		if (!columns) {
			const guessed = header === 'auto' && looksLikeHeader(cells);
			if (header === 'yes' || guessed) {
				columns = columnNames(cells, notes.renamed);
				reserved = columns.includes('__proto__');
				notes.header = { line, guessed, cells };
				continue;
			}
			columns = cells.map((_, index) => `column${index + 1}`);
		}
		if (cells.length > columns.length) {
			rows.push({ line, problem: `Row at line ${line} has ${cells.length} values but the header has ${columns.length} columns` });
			continue;
		}
		const record: IDataObject = {};
		for (let index = 0; index < columns.length; index++) {
			const value = index < cells.length ? cells[index] : '';
			if (reserved) setField(record, columns[index], value);
			else record[columns[index]] = value;
		}
		rows.push({ record, line });
	}
	return { rows, csv: notes };
}
