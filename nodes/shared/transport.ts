import type { IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { DestinationRequest, DestinationResponse, RequestSender } from './adapter';

export type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

/** Per-request time limit: a stalled connection is retried instead of hanging the workflow. */
export const REQUEST_TIMEOUT_MS = 120_000;

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

function isLoopbackHost(hostname: string): boolean {
	return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Validates a credential's base URL and returns it without a trailing slash. Contact data must not
 * travel in clear text, so plain http is accepted for loopback hosts (local sandboxes, proxies) only.
 */
export function checkBaseUrl(node: INode, raw: unknown, serviceName: string): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new NodeOperationError(node, `The ${serviceName} credential's base URL is not a valid URL`, {
			description: 'Use a full URL such as https://api.example.com/…',
		});
	}
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		throw new NodeOperationError(node, `Plain http is refused for ${url.hostname}: use https`, {
			description: 'Contact data is personal data. Plain http is only accepted for loopback hosts (localhost, 127.0.0.1, ::1).',
		});
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new NodeOperationError(node, `The ${serviceName} credential's base URL must start with https://`);
	}
	if (url.username || url.password) {
		throw new NodeOperationError(node, `The ${serviceName} credential's base URL must not contain a user name or password`);
	}
	return url.toString().replace(/\/+$/, '');
}

const NETWORK_CODES = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_BAD_RESPONSE', 'ERR_CANCELED'];

/** Digs the low-level error code out of n8n's and axios' wrappers without touching request options (they hold secrets). */
function networkCode(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && (NETWORK_CODES.includes(code) || code.startsWith('E'))) return code;
		const message = (current as { message?: unknown }).message;
		if (typeof message === 'string') {
			if (/socket hang up/i.test(message)) return 'ECONNRESET';
			if (/timeout/i.test(message)) return 'ETIMEDOUT';
		}
		current = (current as { cause?: unknown }).cause;
	}
	return 'UNKNOWN';
}

function refreshFailure(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const message = (current as { message?: unknown }).message;
		if (typeof message === 'string' && /needs to be reconnected|could not be refreshed|refresh token/i.test(message)) return message;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function statusOf(error: unknown): number | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const response = (current as { response?: { status?: unknown } }).response;
		if (response && typeof response.status === 'number') return response.status;
		const httpCode = (current as { httpCode?: unknown }).httpCode;
		if (typeof httpCode === 'string' && /^\d{3}$/.test(httpCode)) return Number(httpCode);
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function responseOf(error: unknown): DestinationResponse | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const response = (current as { response?: { status?: unknown; headers?: unknown; data?: unknown; body?: unknown } }).response;
		if (response && typeof response.status === 'number') {
			return {
				statusCode: response.status,
				headers: (response.headers ?? {}) as DestinationResponse['headers'],
				body: parseBody(response.data ?? response.body),
			};
		}
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	if (body === '') return undefined;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/**
 * Sends one request through n8n, which applies the credential (and refreshes OAuth2 tokens).
 * Every HTTP status comes back as a response; a failure below HTTP (refused, reset, timed out) comes
 * back as status 0 with `networkError` set. Errors are
 * rebuilt from status codes and bodies only, because n8n's and axios' errors carry the request
 * options, credentials included.
 */
export async function sendRaw(
	context: RequestContext,
	credentialType: string,
	baseUrl: string,
	request: DestinationRequest,
	options: { oauth2?: boolean } = {},
): Promise<DestinationResponse> {
	const httpOptions: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path}`,
		qs: request.qs,
		headers: { accept: 'application/json' },
		returnFullResponse: true,
		// OAuth2 tokens are refreshed only when n8n sees the 401 as an error, so let those throw.
		ignoreHttpStatusErrors: !options.oauth2,
		timeout: REQUEST_TIMEOUT_MS,
		json: false,
		encoding: 'text' as IHttpRequestOptions['encoding'],
	};
	if (request.body !== undefined) {
		httpOptions.body = request.body;
		httpOptions.headers!['content-type'] = 'application/json';
	}
	try {
		const response = (await context.helpers.httpRequestWithAuthentication.call(context, credentialType, httpOptions)) as {
			statusCode: number;
			headers: DestinationResponse['headers'];
			body: unknown;
		};
		return { statusCode: response.statusCode, headers: response.headers ?? {}, body: parseBody(response.body) };
	} catch (error) {
		const response = responseOf(error);
		if (response) return response;
		const status = statusOf(error);
		if (status !== undefined) return { statusCode: status, headers: {}, body: undefined };
		// n8n could not refresh an OAuth2 token (revoked grant, spent refresh token): an authorization
		// failure to report, not a network fault to retry. n8n's message names the credential only.
		const refresh = refreshFailure(error);
		if (refresh) return { statusCode: 401, headers: {}, body: { message: refresh } };
		return { statusCode: 0, headers: {}, body: undefined, networkError: networkCode(error) };
	}
}

/** OAuth2 credential types are named so (lint rule cred-class-oauth2-naming): n8n refreshes their tokens on 401. */
export function usesOAuth2(credentialType: string): boolean {
	return credentialType.includes('OAuth2');
}

/** A sender for the editor's list and field look-ups, which run outside an export (no pacing, no retries). */
export function editorSender(context: RequestContext, credentialType: string, baseUrl: string): RequestSender {
	return async (request) => await sendRaw(context, credentialType, baseUrl, request, { oauth2: usesOAuth2(credentialType) });
}

/** Text a service gave as the reason for an error status, if its body holds one. */
export function serviceMessage(body: unknown): string | undefined {
	if (!body || typeof body !== 'object') return typeof body === 'string' && body.length < 300 ? body : undefined;
	const fields = body as Record<string, unknown>;
	for (const key of ['Message', 'message', 'error_message', 'detail', 'title', 'error']) {
		const value = fields[key];
		if (typeof value === 'string' && value) return value;
	}
	if (Array.isArray(body) && body.length) return serviceMessage(body[0]);
	return undefined;
}

/** An error for an answer the node cannot go on from; it holds the status and the service's words only. */
export function responseError(node: INode, serviceName: string, what: string, response: DestinationResponse): NodeApiError {
	const said = serviceMessage(response.body);
	const auth = response.statusCode === 401 || response.statusCode === 403;
	const message = auth
		? `${serviceName} refused the credentials (${response.statusCode}${said ? `: ${said}` : ''})`
		: `${serviceName} answered ${response.statusCode} to ${what}${said ? `: ${said}` : ''}`;
	return new NodeApiError(node, { message, statusCode: response.statusCode } as JsonObject, {
		message,
		httpCode: String(response.statusCode),
		description: auth ? 'Check the API key in the credential.' : undefined,
	});
}
