import type { IDataObject } from 'n8n-workflow';

/** A row read from a file, with the line it starts on (1-based, header included). */
export interface FileRow {
	record?: IDataObject;
	line: number;
	/** Why the row could not be read; the row goes to Invalid. */
	problem?: string;
}

/** A file that cannot be read at all; `line` and `column` say where. */
export class UnreadableFile extends Error {
	constructor(
		message: string,
		readonly line: number,
		readonly column: number,
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
	const content = stripBom(text);
	const chosen = format === 'auto' ? detectFormat(content, fileName) : format;
	if (chosen === 'json') return readJsonArray(content);
	if (chosen === 'ndjson') return readNdjson(content);
	return readCsv(content, header, delimiter);
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

/** RFC 4180 records: quoted fields may hold delimiters, doubled quotes and line breaks. */
function* csvRecords(text: string, delimiter: string): Generator<{ cells: string[]; line: number }> {
	let line = 1;
	let cells: string[] = [];
	let cell = '';
	let startLine = 1;
	let quoted = false;
	let quoteLine = 0;
	let quoteColumn = 0;
	let lineStart = 0;
	let atCellStart = true;
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (quoted) {
			if (char === '"') {
				if (text[i + 1] === '"') {
					cell += '"';
					i++;
				} else {
					quoted = false;
				}
			} else {
				if (char === '\n') {
					line++;
					lineStart = i + 1;
				}
				cell += char;
			}
			continue;
		}
		if (char === '"' && atCellStart) {
			quoted = true;
			quoteLine = line;
			quoteColumn = i - lineStart + 1;
			atCellStart = false;
		} else if (char === delimiter) {
			cells.push(cell);
			cell = '';
			atCellStart = true;
		} else if (char === '\n' || char === '\r') {
			if (char === '\r' && text[i + 1] === '\n') i++;
			cells.push(cell);
			yield { cells, line: startLine };
			cells = [];
			cell = '';
			line++;
			lineStart = i + 1;
			startLine = line;
			atCellStart = true;
		} else {
			cell += char;
			atCellStart = false;
		}
	}
	if (quoted) throw new UnreadableFile(`A quoted value opened at line ${quoteLine}, column ${quoteColumn} is never closed`, quoteLine, quoteColumn);
	if (cell !== '' || cells.length) {
		cells.push(cell);
		yield { cells, line: startLine };
	}
}

function looksLikeHeader(cells: string[]): boolean {
	return cells.every((cell) => !cell.includes('@') && !/^\s*[-+]?\d+([.,]\d+)?\s*$/.test(cell));
}

function readCsv(text: string, header: HeaderMode, delimiterChoice: string): FileRow[] {
	const delimiter = delimiterChoice === 'auto' || !delimiterChoice ? detectDelimiter(text) : delimiterChoice === '\\t' ? '\t' : delimiterChoice;
	const rows: FileRow[] = [];
	let columns: string[] | undefined;
	for (const { cells, line } of csvRecords(text, delimiter)) {
		if (cells.length === 1 && cells[0].trim() === '') continue;
		if (!columns) {
			if (header === 'yes' || (header === 'auto' && looksLikeHeader(cells))) {
				columns = cells.map((cell, index) => cell.trim() || `column${index + 1}`);
				continue;
			}
			columns = cells.map((_, index) => `column${index + 1}`);
		}
		if (cells.length > columns.length) {
			rows.push({ line, problem: `Row at line ${line} has ${cells.length} values but the header has ${columns.length} columns` });
			continue;
		}
		const record: IDataObject = {};
		columns.forEach((column, index) => {
			record[column] = index < cells.length ? cells[index] : '';
		});
		rows.push({ record, line });
	}
	return rows;
}
