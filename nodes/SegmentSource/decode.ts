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
	const hex = bytes[at].toString(16).toUpperCase().padStart(2, '0');
	throw new UnreadableFile(`line ${line} is not valid UTF-8 (byte 0x${hex}, byte ${at - lineStart + 1} of the line, byte ${at + 1} of the file)`, line, at - lineStart + 1, ENCODING_ADVICE);
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
	const whole = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		whole.set(chunk, offset);
		offset += chunk.length;
	}
	return whole;
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
