import { concatBytes } from '../shared/bytes';
import type { TextSource } from './readers';
import { UnreadableFile } from './readers';

// Bytes to text with the web-platform globals Node provides (TextDecoder, DecompressionStream, Blob,
// Response): nodes may not import node:* modules. Nothing is guessed silently: a BOM decides, else the
// File Encoding option; bytes that are not valid in it stop the run, naming where.

export type FileEncoding = 'utf-8' | 'latin1' | 'windows-1252';

const ENCODING_ADVICE = 'Choose the file\'s encoding in "File Encoding" (Latin-1 or Windows-1252 for files saved by Excel and older Windows programs), or save it as UTF-8. Nothing was read.';
const TEXT_ADVICE = 'Give the profiles as a CSV, JSON or NDJSON file (UTF-8, UTF-16 with a byte order mark, Latin-1 or Windows-1252; gzip-compressed is read too). Nothing was read.';

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
	return prefix.every((byte, index) => bytes[index] === byte);
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence (only read once decoding failed). */
export function invalidUtf8At(bytes: Uint8Array): number {
	let i = 0;
	while (i < bytes.length) {
		const byte = bytes[i];
		if (byte < 0x80) {
			i++;
			continue;
		}
		// Lead byte: sequence length and the allowed range of the second byte (no overlongs, no surrogates).
		let length: number;
		let low = 0x80;
		let high = 0xbf;
		if (byte >= 0xc2 && byte <= 0xdf) length = 2;
		else if (byte >= 0xe0 && byte <= 0xef) {
			length = 3;
			if (byte === 0xe0) low = 0xa0;
			if (byte === 0xed) high = 0x9f;
		} else if (byte >= 0xf0 && byte <= 0xf4) {
			length = 4;
			if (byte === 0xf0) low = 0x90;
			if (byte === 0xf4) high = 0x8f;
		} else return i;
		for (let k = 1; k < length; k++) {
			const next = bytes[i + k];
			if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
		}
		i += length;
	}
	return -1;
}

function refuseUtf8(bytes: Uint8Array): never {
	const at = invalidUtf8At(bytes);
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < at; i++) {
		if (bytes[i] === 0x0a) {
			line++;
			lineStart = i + 1;
		}
	}
	throw utf8Failure(bytes[at], line, at - lineStart + 1, at + 1);
}

function utf8Failure(byte: number, line: number, column: number, position: number): UnreadableFile {
	const hex = byte.toString(16).toUpperCase().padStart(2, '0');
	return new UnreadableFile(`line ${line} is not valid UTF-8 (byte 0x${hex}, byte ${column} of the line, byte ${position} of the file)`, line, column, ENCODING_ADVICE);
}

/** What a binary file is, from its first bytes; undefined for what may be text. */
function binaryKind(bytes: Uint8Array): string | undefined {
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'it is a ZIP archive (or an Excel or OpenDocument file), not text; export it as CSV or JSON';
	if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'it is a PDF document, not text';
	if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) return 'it is an old-style Excel or Office file, not text; export it as CSV';
	// Text in the encodings read here has no NUL bytes (UTF-16 is recognised by its BOM before this).
	const head = bytes.subarray(0, 65536);
	if (head.includes(0)) return 'it is a binary file, not text (it holds NUL bytes; a UTF-16 file needs its byte order mark)';
	return undefined;
}

/** The whole of a gzip stream, stopping once it exceeds `limit` bytes (a small file may inflate enormously). */
async function gunzip(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
	const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
	const reader = stream.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	let failure: string | undefined;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			total += value.length;
			if (total > limit) break;
			chunks.push(value);
		}
	} catch (error) {
		failure = (error as Error).message;
	}
	if (failure !== undefined) throw new UnreadableFile(`it looks gzip-compressed but cannot be decompressed (${failure})`, 1, 1, TEXT_ADVICE);
	if (total > limit) {
		await reader.cancel();
		throw new UnreadableFile(`decompressed, it is more than ${Math.round(limit / 1_048_576)} MB, too large for the "Max Profiles" limit`, 1, 1, 'Raise "Max Profiles" in the options, or split the file.');
	}
	return concatBytes(chunks, total);
}

/**
 * The file's text. gzip is decompressed first (recognised by its magic bytes, whatever the file's name);
 * a UTF-8 or UTF-16 byte order mark decides the encoding, else `encoding`.
 */
export async function decodeFile(input: Uint8Array, encoding: FileEncoding, limit: number): Promise<string> {
	const bytes = startsWith(input, [0x1f, 0x8b]) ? await gunzip(input, limit) : input;
	if (startsWith(bytes, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(bytes);
	if (startsWith(bytes, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(bytes);
	const utf8Bom = startsWith(bytes, [0xef, 0xbb, 0xbf]);
	const binary = binaryKind(bytes);
	if (binary) throw new UnreadableFile(binary, 1, 1, TEXT_ADVICE);
	if (encoding === 'windows-1252' && !utf8Bom) return windows1252(bytes);
	if (encoding === 'latin1' && !utf8Bom) return latin1(bytes);
	let text: string | undefined;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		// TextDecoder says only that the bytes are not UTF-8: find where, for the message.
	}
	return text ?? refuseUtf8(bytes);
}

/** ISO-8859-1: each byte is the code point of the same number (TextDecoder's "latin1" is Windows-1252). */
function latin1(bytes: Uint8Array): string {
	const parts: string[] = [];
	for (let start = 0; start < bytes.length; start += 8192) parts.push(String.fromCharCode(...bytes.subarray(start, start + 8192)));
	return parts.join('');
}

// Windows-1252 differs from Latin-1 only in 0x80–0x9F (WHATWG Encoding Standard, index-windows-1252).
// Decoded here because Node's TextDecoder("windows-1252") gives Latin-1 for them (nodejs/node#56542).
const WINDOWS_1252_HIGH =
	'\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
	'\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function windows1252(bytes: Uint8Array): string {
	return latin1(bytes).replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80]);
}

// Streaming: the same text as decodeFile, chunk by chunk, from bytes read as a stream.

/** Opens the file's bytes anew, from the start. */
export type ByteSource = () => Promise<AsyncIterable<Uint8Array>>;


/** At least `size` bytes from the start of the stream (fewer when it ends first), and the rest of it. */
async function readAhead(chunks: AsyncIterator<Uint8Array>, size: number): Promise<{ head: Uint8Array; rest: AsyncGenerator<Uint8Array> }> {
	const read: Uint8Array[] = [];
	let total = 0;
	let done = false;
	while (total < size) {
		const next = await chunks.next();
		if (next.done) {
			done = true;
			break;
		}
		read.push(next.value);
		total += next.value.length;
	}
	const head = concatBytes(read, total);
	const rest = async function* (): AsyncGenerator<Uint8Array> {
		if (head.length) yield head;
		if (done) return;
		for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
	};
	return { head, rest: rest() };
}

/** gzip decompressed as the compressed bytes come, stopping once it exceeds `limit` bytes. */
async function* gunzipStream(compressed: AsyncIterator<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
	const input = new ReadableStream<Uint8Array>({
		async pull(controller) {
			const next = await compressed.next();
			if (next.done) controller.close();
			else controller.enqueue(next.value);
		},
	});
	const reader = input.pipeThrough(new DecompressionStream('gzip')).getReader();
	let total = 0;
	for (;;) {
		let next: Awaited<ReturnType<typeof reader.read>> | undefined;
		let failure: string | undefined;
		try {
			next = await reader.read();
		} catch (error) {
			failure = (error as Error).message;
		}
		if (!next) throw new UnreadableFile(`it looks gzip-compressed but cannot be decompressed (${failure})`, 1, 1, TEXT_ADVICE);
		if (next.done) return;
		total += next.value.length;
		if (total > limit) {
			await reader.cancel();
			throw new UnreadableFile(`decompressed, it is more than ${Math.round(limit / 1_048_576)} MB, too large for the "Max Profiles" limit`, 1, 1, 'Raise "Max Profiles" in the options, or split the file.');
		}
		yield next.value;
	}
}

/** The file's bytes, decompressed when gzip (recognised by its magic bytes). */
async function fileBytes(open: ByteSource, limit: number): Promise<AsyncGenerator<Uint8Array>> {
	const { head, rest } = await readAhead((await open())[Symbol.asyncIterator](), 2);
	return startsWith(head, [0x1f, 0x8b]) ? gunzipStream(rest, limit) : rest;
}

/** Where the first byte that is not UTF-8 is, reading the bytes as a stream (only once decoding failed). */
async function refuseUtf8Stream(open: ByteSource, limit: number): Promise<never> {
	let carry = new Uint8Array(0);
	/** Offset in the file of carry's first byte. */
	let base = 0;
	let line = 1;
	let lineStart = 0;
	const count = (bytes: Uint8Array, end: number) => {
		for (let at = bytes.indexOf(0x0a); at !== -1 && at < end; at = bytes.indexOf(0x0a, at + 1)) {
			line++;
			lineStart = base + at + 1;
		}
	};
	for await (const chunk of await fileBytes(open, limit)) {
		const bytes = concatBytes([carry, chunk], carry.length + chunk.length);
		const at = invalidUtf8At(bytes);
		// A sequence cut by the chunk's end is read again with the next chunk.
		const end = at >= 0 && at >= bytes.length - 3 ? at : bytes.length;
		if (at >= 0 && at < end) {
			count(bytes, at);
			throw utf8Failure(bytes[at], line, base + at - lineStart + 1, base + at + 1);
		}
		count(bytes, end);
		carry = bytes.slice(end);
		base += end;
	}
	if (carry.length) throw utf8Failure(carry[0], line, base - lineStart + 1, base + 1);
	throw new UnreadableFile('it is not valid UTF-8', line, 1, ENCODING_ADVICE);
}

/**
 * The file's text as a stream of chunks, decoded as decodeFile decodes the whole file: gzip first,
 * then a byte order mark, else `encoding`; the same refusals, found as the reading reaches them.
 * Each call of the returned function reads the file again from the start.
 */
export function decodeStream(open: ByteSource, encoding: FileEncoding, limit: number): TextSource {
	return async function* () {
		const { head, rest } = await readAhead((await fileBytes(open, limit))[Symbol.asyncIterator](), 65536);
		if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
			const decoder = new TextDecoder(head[0] === 0xff ? 'utf-16le' : 'utf-16be');
			for await (const chunk of rest) yield decoder.decode(chunk, { stream: true });
			yield decoder.decode();
			return;
		}
		const utf8Bom = startsWith(head, [0xef, 0xbb, 0xbf]);
		const binary = binaryKind(head);
		if (binary) throw new UnreadableFile(binary, 1, 1, TEXT_ADVICE);
		if ((encoding === 'windows-1252' || encoding === 'latin1') && !utf8Bom) {
			for await (const chunk of rest) yield encoding === 'latin1' ? latin1(chunk) : windows1252(chunk);
			return;
		}
		const decoder = new TextDecoder('utf-8', { fatal: true });
		let text: string;
		for await (const chunk of rest) {
			try {
				text = decoder.decode(chunk, { stream: true });
			} catch {
				return await refuseUtf8Stream(open, limit);
			}
			yield text;
		}
		try {
			text = decoder.decode();
		} catch {
			return await refuseUtf8Stream(open, limit);
		}
		yield text;
	};
}
