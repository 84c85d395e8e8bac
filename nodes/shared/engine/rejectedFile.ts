/**
 * The Rejected file: contacts not exported beyond the node's "Max Rejected Items" are listed in a
 * CSV file attached to the Summary item instead of one item each, so a large run's saved execution
 * stays small (n8n keeps binary data out of the run data).
 */

/** Binary property of the Summary item holding the file. */
export const REJECTED_FILE_PROPERTY = 'rejected';
export const REJECTED_FILE_MIME_TYPE = 'text/csv';
/** Version 2's default for "Max Rejected Items"; version 1 lists every contact as an item. */
export const DEFAULT_MAX_REJECTED_ITEMS = 1000;

/** The file's columns: the Rejected items' fields, then where the contact was in the run. */
export const REJECTED_FILE_COLUMNS = ['email', 'reason', 'message', 'input_item', 'batch', 'job'] as const;

/** One contact not exported, as a row of the file. */
export interface RejectedRow {
	email: string | null;
	reason: string;
	message: string;
	/** The input item the contact came from (as in the messages, from 0). */
	inputItem: number;
	/** Where the contact was sent, when it was: its batch (from 1) and the service's job ID. */
	batch?: number;
	job?: string;
}

/** Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV cell (RFC 4180): text a spreadsheet would take for a formula gets a leading apostrophe,
 * and a cell holding a comma, a quote or a line break is quoted, its quotes doubled.
 */
export function csvCell(value: string | number | null | undefined): string {
	if (value === null || value === undefined) return '';
	let text = String(value);
	if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
	return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows are encoded to UTF-8 in chunks of about this many characters, so the file never exists as one long string. */
const CHUNK_CHARACTERS = 1 << 20;

/**
 * A CSV file written as its rows come: each row is turned into CSV text at once and kept only as
 * UTF-8 bytes (no row objects, no items), in chunks joined once when the file is stored.
 */
export class CsvFile {
	rows = 0;

	private readonly chunks: Buffer[] = [];
	private pending: string;
	private bytes = 0;

	constructor(columns: readonly string[]) {
		this.pending = `${columns.join(',')}\r\n`;
	}

	addCells(cells: ReadonlyArray<string | number | null | undefined>): void {
		this.rows++;
		this.pending += `${cells.map(csvCell).join(',')}\r\n`;
		if (this.pending.length >= CHUNK_CHARACTERS) this.flush();
	}

	/** The whole file (UTF-8, CRLF line ends, a header row); the chunks are released. */
	content(): Buffer {
		this.flush();
		const whole = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes);
		this.chunks.length = 0;
		return whole;
	}

	private flush(): void {
		if (!this.pending) return;
		const chunk = Buffer.from(this.pending, 'utf8');
		this.chunks.push(chunk);
		this.bytes += chunk.length;
		this.pending = '';
	}
}

/** The contacts not exported beyond "Max Rejected Items". */
export class RejectedFile extends CsvFile {
	constructor() {
		super(REJECTED_FILE_COLUMNS);
	}

	add(row: RejectedRow): void {
		this.addCells([row.email, row.reason, row.message, row.inputItem, row.batch, row.job]);
	}
}

/** The file's name: the node's name made file-safe, the same on every run. */
export function rejectedFileName(nodeName: string, suffix = 'rejected'): string {
	const base = nodeName
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '');
	return `${base || 'export'}-${suffix}.csv`;
}
