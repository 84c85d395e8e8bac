import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

/**
 * Member files: Segment Source's "Member File" output. Members travel as NDJSON binary file parts
 * (one member per line) in binary property `members`, each on an item marked
 * `segmentSourceMemberFile: true` whose json carries the part number and its member count, so
 * exporters know how many contacts they received before reading a byte.
 */
export const MEMBER_FILE_MARKER = 'segmentSourceMemberFile';
export const MEMBER_FILE_PROPERTY = 'members';
export const MEMBER_FILE_MIME_TYPE = 'application/x-ndjson';

/**
 * A part's bounds, whichever comes first. n8n 2.41 in queue mode keeps binary data in its database,
 * buffers each whole file in memory on write and read, and refuses files over
 * N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (512 MiB by default): parts of at most 100,000 members or
 * 64 MiB keep each file well under that limit and each buffer small, whatever the members' size.
 */
export const MAX_MEMBERS_PER_PART = 100_000;
export const MAX_BYTES_PER_PART = 64 * 1024 * 1024;

/** Whether an item is one part of a member file. */
export function isMemberFile(item: INodeExecutionData): boolean {
	return item.json[MEMBER_FILE_MARKER] === true && item.binary?.[MEMBER_FILE_PROPERTY] !== undefined;
}

/** The member count a part declares (its json), or undefined when it is not a whole number. */
export function memberFileCount(json: IDataObject): number | undefined {
	const count = json.count;
	return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}

/** The part's number as people see it ("file part 2"), from its json or its position. */
export function memberFilePart(json: IDataObject, position: number): number {
	return typeof json.part === 'number' && Number.isInteger(json.part) ? json.part : position;
}

/** One line of a part: its text (without the line break) and its number from 1. */
export interface FileLine {
	text: string;
	line: number;
}

/**
 * The lines of a UTF-8 byte stream, decoded as the chunks come (a multi-byte character split
 * between chunks is joined), never the whole file at once. Blank lines are skipped.
 */
export async function* linesOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<FileLine> {
	const decoder = new TextDecoder('utf-8');
	let pending = '';
	let line = 0;
	for await (const chunk of chunks) {
		pending += decoder.decode(chunk, { stream: true });
		let start = 0;
		for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
			line++;
			const text = pending.slice(start, end).replace(/\r$/, '');
			start = end + 1;
			if (text.trim() !== '') yield { text, line };
		}
		pending = pending.slice(start);
	}
	pending += decoder.decode();
	line++;
	const text = pending.replace(/\r$/, '');
	if (text.trim() !== '') yield { text, line };
}

/**
 * Writes members as NDJSON parts of bounded size: `add` returns a finished part's bytes when the
 * member would not fit in the current one (the caller stores it), `finish` the last part.
 */
export class MemberFileParts {
	private lines: string[] = [];
	private bytes = 0;
	private readonly encoder = new TextEncoder();

	constructor(
		private readonly maxMembers = MAX_MEMBERS_PER_PART,
		private readonly maxBytes = MAX_BYTES_PER_PART,
	) {}

	/** Members in the part being written. */
	get count(): number {
		return this.lines.length;
	}

	/** Adds a member; returns the part it closed, if adding it would have passed a bound. */
	add(member: IDataObject): { bytes: Uint8Array; count: number } | undefined {
		const line = `${JSON.stringify(member)}\n`;
		const size = this.encoder.encode(line).length;
		const full = this.lines.length > 0 && (this.lines.length >= this.maxMembers || this.bytes + size > this.maxBytes);
		const closed = full ? this.finish() : undefined;
		this.lines.push(line);
		this.bytes += size;
		return closed;
	}

	/** The part being written, and a fresh one begun; undefined when it holds no member. */
	finish(): { bytes: Uint8Array; count: number } | undefined {
		if (!this.lines.length) return undefined;
		const part = { bytes: this.encoder.encode(this.lines.join('')), count: this.lines.length };
		this.lines = [];
		this.bytes = 0;
		return part;
	}
}
