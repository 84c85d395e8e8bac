/** Chunks of bytes as one array (the only chunk itself when there is one). */
export function concatBytes(chunks: readonly Uint8Array[], total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)): Uint8Array {
	if (chunks.length === 1) return chunks[0];
	const whole = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		whole.set(chunk, offset);
		offset += chunk.length;
	}
	return whole;
}
