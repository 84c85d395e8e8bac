import { concatBytes } from '../bytes';

/**
 * A batch's wire forms, gzipped while its job runs. A service whose jobs may stop part-way needs the
 * contacts they never processed to send them again; keeping 10,000 batches' forms as strings until
 * their jobs end held ~300 MB at 1,000,000 contacts. Wire forms are JSON, so they never contain a
 * raw line break: one per line.
 */
export async function packWireForms(wireForms: readonly string[]): Promise<Uint8Array> {
	return await readAll(new Blob([wireForms.join('\n')]).stream().pipeThrough(new CompressionStream('gzip')));
}

export async function unpackWireForms(packed: Uint8Array): Promise<string[]> {
	const bytes = await readAll(new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip')));
	const text = new TextDecoder('utf-8').decode(bytes);
	return text === '' ? [] : text.split('\n');
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
	const reader = stream.getReader();
	const chunks: Uint8Array[] = [];
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
	}
	return concatBytes(chunks);
}
