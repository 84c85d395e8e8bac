import type { INode } from 'n8n-workflow';

import { CancelledFailure, RetryableFailure, StopFailure } from '../../../nodes/shared/engine/errors';
import { imposedWaitMs, rateWindow } from '../../../nodes/shared/engine/retryPolicy';
import { checkBaseUrl, classifyTransportError } from '../../../nodes/shared/transport';

const node = { name: 'Export' } as INode;

describe('base URL checks', () => {
	test('accepts https anywhere and http on loopback only', () => {
		expect(checkBaseUrl(node, 'https://api.createsend.com/api/v3.3/', 'X')).toBe('https://api.createsend.com/api/v3.3');
		expect(checkBaseUrl(node, 'http://127.0.0.1:5680/cm', 'X')).toBe('http://127.0.0.1:5680/cm');
		expect(checkBaseUrl(node, 'http://localhost:1/x', 'X')).toBe('http://localhost:1/x');
		expect(checkBaseUrl(node, 'http://[::1]:8080/', 'X')).toBe('http://[::1]:8080');
	});

	test.each(['http://api.createsend.com', 'http://10.0.0.5/api', 'http://127.example.com'])('refuses plain http to %s', (url) => {
		expect(() => checkBaseUrl(node, url, 'X')).toThrow(/^Plain http is refused for/);
	});

	test('refuses what is not an http(s) URL, and URLs carrying a password', () => {
		expect(() => checkBaseUrl(node, 'not a url', 'X')).toThrow("The X credential's base URL is not a valid URL");
		expect(() => checkBaseUrl(node, 'ftp://example.com', 'X')).toThrow(/must start with https/);
		expect(() => checkBaseUrl(node, 'https://user:secret@example.com', 'X')).toThrow(/must not contain a user name or password/);
	});
});

describe('wait instructions', () => {
	const response = (statusCode: number, headers: Record<string, string>) => ({ statusCode, headers, body: undefined });

	test('Retry-After in seconds or as a date', () => {
		expect(imposedWaitMs(response(429, { 'retry-after': '2' }))).toBe(2000);
		expect(imposedWaitMs(response(503, { 'retry-after': new Date(10_000).toUTCString() }), 5_000)).toBe(5000);
	});

	test('X-RateLimit-Reset counts for a 429, in seconds from now or as an epoch time', () => {
		expect(imposedWaitMs(response(429, { 'x-ratelimit-reset': '1.5' }))).toBe(1500);
		expect(imposedWaitMs(response(429, { 'x-ratelimit-reset': '2000000000' }), 1_999_999_000_000)).toBe(1_000_000);
		expect(imposedWaitMs(response(200, { 'x-ratelimit-reset': '3' }))).toBeUndefined();
	});

	test('the rate window is read when both headers are there', () => {
		expect(rateWindow(response(200, { 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '30' }))).toEqual({ remaining: 7, resetMs: 30_000 });
		expect(rateWindow(response(200, { 'x-ratelimit-remaining': '7' }))).toBeUndefined();
	});
});

describe('failures below HTTP are classified so people can act on them', () => {
	const url = 'https://api.example.com/v3/import';
	const wrapped = (cause: object) => Object.assign(new Error('Request failed'), { name: 'NodeApiError', cause });

	test('a refused certificate stops at once, naming the host and the code', () => {
		const failure = classifyTransportError(wrapped({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }), 'Omnisend', url);
		expect(failure).toBeInstanceOf(StopFailure);
		expect(failure.message).toBe('The TLS certificate of api.example.com was refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
		expect(failure.description).toMatch(/NODE_EXTRA_CA_CERTS/);
	});

	test("n8n's SSRF protection keeps its own explanation", () => {
		const blocked = Object.assign(new Error('The request was blocked because it resolves to a restricted IP address'), {
			name: 'SsrfBlockedIpError',
			description: "The target 'api.example.com' (10.0.0.5) is not allowed. This is a security measure …",
		});
		const failure = classifyTransportError(wrapped(blocked), 'Omnisend', url);
		expect(failure).toBeInstanceOf(StopFailure);
		expect(failure.message).toBe('n8n blocked the request to api.example.com: The request was blocked because it resolves to a restricted IP address');
		expect(failure.description).toMatch(/^The target 'api.example.com'/);
	});

	test('a reply that is not HTTPS, and an unknown host, stop without retries', () => {
		expect(classifyTransportError(wrapped({ code: 'EPROTO' }), 'ActiveCampaign', url).message).toBe('api.example.com did not answer in HTTPS (EPROTO)');
		expect(classifyTransportError(wrapped({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), 'ActiveCampaign', url)).toBeInstanceOf(StopFailure);
		expect(classifyTransportError(wrapped({ code: 'ENOTFOUND' }), 'ActiveCampaign', url).message).toBe('No host named api.example.com was found (ENOTFOUND)');
	});

	test('a request that never left is retried as not sent; one whose answer was lost may have arrived', () => {
		const refused = classifyTransportError(wrapped({ code: 'ECONNREFUSED' }), 'Campaign Monitor', url);
		expect(refused).toBeInstanceOf(RetryableFailure);
		expect(refused.mayHaveArrived).toBe(false);
		const reset = classifyTransportError(wrapped({ message: 'socket hang up' }), 'Campaign Monitor', url);
		expect(reset).toBeInstanceOf(RetryableFailure);
		expect(reset.mayHaveArrived).toBe(true);
	});

	test('a cancel while the request was out is a cancel that may have arrived', () => {
		const cancelled = classifyTransportError(wrapped({ code: 'ERR_CANCELED' }), 'Constant Contact', url, { aborted: true });
		expect(cancelled).toBeInstanceOf(CancelledFailure);
		expect(cancelled.mayHaveArrived).toBe(true);
	});
});
