import type { DestinationRequest, DestinationResponse, RequestPurpose, RequestSender } from '../../nodes/shared/adapter';

/**
 * A RequestSender straight to a sandbox service, for adapter tests that need no engine: throttled
 * answers (429) are sent again shortly, redirects are not followed, bodies are parsed as sendRaw does.
 * `log` records each request with its purpose.
 */
export function fetchSender(baseUrl: string, headers: Record<string, string>, log: Array<{ request: DestinationRequest; purpose: RequestPurpose }> = []): RequestSender {
	return async (request, purpose) => {
		log.push({ request, purpose });
		const url = new URL(`${baseUrl}${request.path}`);
		for (const [key, value] of Object.entries(request.qs ?? {})) url.searchParams.set(key, String(value));
		for (;;) {
			const response = await fetch(url, {
				method: request.method,
				headers: { ...headers, accept: 'application/json', ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}) },
				body: request.body,
				redirect: 'manual',
			});
			const text = await response.text();
			if (response.status === 429) {
				await new Promise((resolve) => setTimeout(resolve, 25));
				continue;
			}
			let body: unknown = text === '' ? undefined : text;
			try {
				body = text === '' ? undefined : JSON.parse(text);
			} catch {
				// not JSON: kept as text, as sendRaw keeps it
			}
			return { statusCode: response.status, headers: Object.fromEntries(response.headers), body } satisfies DestinationResponse;
		}
	};
}

/** Every page a Mirror read yields, flattened. */
export async function readAll<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
	const all: T[] = [];
	for await (const page of pages) all.push(...page);
	return all;
}
