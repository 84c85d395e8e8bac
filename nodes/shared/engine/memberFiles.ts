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
 * member would not fit in the current one (the caller stores it), `finish` the last part. Members are
 * encoded straight into the part's bytes (no line strings kept, no copy when a part is handed over).
 */
export class MemberFileParts {
	private buffer: Uint8Array;
	private length = 0;
	private members = 0;
	private readonly encoder = new TextEncoder();

	constructor(
		private readonly maxMembers = MAX_MEMBERS_PER_PART,
		private readonly maxBytes = MAX_BYTES_PER_PART,
	) {
		this.buffer = this.fresh();
	}

	/** Members in the part being written. */
	get count(): number {
		return this.members;
	}

	/** Adds a member; returns the part it closed, if adding it would have passed a bound. */
	add(member: IDataObject): { bytes: Uint8Array; count: number } | undefined {
		const line = `${JSON.stringify(member)}\n`;
		// UTF-8 takes at most 3 bytes per UTF-16 code unit.
		this.reserve(this.length + line.length * 3);
		const { written } = this.encoder.encodeInto(line, this.buffer.subarray(this.length));
		const full = this.members > 0 && (this.members >= this.maxMembers || this.length + written > this.maxBytes);
		if (!full) {
			this.length += written;
			this.members++;
			return undefined;
		}
		const closed = { bytes: this.buffer.subarray(0, this.length), count: this.members };
		const next = this.fresh(written);
		next.set(this.buffer.subarray(this.length, this.length + written));
		this.buffer = next;
		this.length = written;
		this.members = 1;
		return closed;
	}

	/** The part being written, and a fresh one begun; undefined when it holds no member. */
	finish(): { bytes: Uint8Array; count: number } | undefined {
		if (!this.members) return undefined;
		const part = { bytes: this.buffer.subarray(0, this.length), count: this.members };
		this.buffer = this.fresh();
		this.length = 0;
		this.members = 0;
		return part;
	}

	/** A part's buffer: room for a whole part, so it never grows (the system commits only the pages written). */
	private fresh(atLeast = 0): Uint8Array {
		return new Uint8Array(Math.max(atLeast, Math.min(this.maxBytes, MAX_BYTES_PER_PART) + 65536));
	}

	private reserve(size: number): void {
		if (size <= this.buffer.length) return;
		const grown = new Uint8Array(Math.max(size, this.buffer.length * 2));
		grown.set(this.buffer.subarray(0, this.length));
		this.buffer = grown;
	}
}
