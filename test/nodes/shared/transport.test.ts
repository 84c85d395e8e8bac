import type { INode } from 'n8n-workflow';

import { checkBaseUrl } from '../../../nodes/shared/transport';
import { imposedWaitMs, rateWindow } from '../../../nodes/shared/engine/retryPolicy';

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
