/**
 * Reads a CSV file back as spreadsheets do (RFC 4180: quoted cells, doubled quotes, line breaks
 * inside quotes), for checking what the nodes write.
 */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (quoted) {
			if (char === '"' && text[index + 1] === '"') {
				cell += '"';
				index++;
			} else if (char === '"') quoted = false;
			else cell += char;
		} else if (char === '"') quoted = true;
		else if (char === ',') {
			row.push(cell);
			cell = '';
		} else if (char === '\r' && text[index + 1] === '\n') {
			// A record ends with CRLF; the LF is consumed below.
		} else if (char === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
		} else cell += char;
	}
	if (cell !== '' || row.length) {
		row.push(cell);
		rows.push(row);
	}
	return rows;
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
