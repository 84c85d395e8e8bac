import { parse } from 'csv-parse/sync';

/**
 * Reads a CSV file back as spreadsheets do (RFC 4180: quoted cells, doubled quotes, line breaks
 * inside quotes), with csv-parse, for checking what the nodes write.
 */
export function parseCsv(text: string): string[][] {
	return parse(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n'] }) as string[][];
}

/** A cell's text as written before the guard against formulas (the apostrophe the file adds before = + - @ tab CR). */
export function unguarded(cell: string): string {
	return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** The Rejected file's rows as objects keyed by its header, the guard removed. */
export function csvRecords(text: string): Array<Record<string, string>> {
	const [header, ...rows] = parseCsv(text);
	return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, unguarded(row[index] ?? '')])));
}
