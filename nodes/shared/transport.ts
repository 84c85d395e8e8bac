import type { IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { DestinationRequest, DestinationResponse, RequestSender } from './adapter';
import type { ExportFailure } from './engine/errors';
import { CancelledFailure, RetryableFailure, StopFailure, UnconfirmedFailure } from './engine/errors';

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

/** Failures before the request left: the service cannot have received it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** Failures after the request may have left: the service may have processed it. */
const LOST_ANSWER_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT', 'ERR_BAD_RESPONSE', 'UND_ERR_SOCKET']);
/** TLS certificate problems: retrying cannot help. */
const CERTIFICATE_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|ERR_TLS_CERT)/;
/** Answers that are not HTTP(S) at all (an http server asked in https, another protocol on the port). */
const PROTOCOL_CODES = /^(EPROTO|ERR_SSL_|HPE_|ERR_INVALID_HTTP_RESPONSE)/;

interface ErrorLayer {
	name?: unknown;
	code?: unknown;
	message?: unknown;
	description?: unknown;
	cause?: unknown;
	response?: { status?: unknown; headers?: unknown; data?: unknown; body?: unknown };
	httpCode?: unknown;
}

/** n8n's and axios' errors wrap one another: walks the chain without touching request options (they hold secrets). */
function layersOf(error: unknown): ErrorLayer[] {
	const layers: ErrorLayer[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
		layers.push(current as ErrorLayer);
		current = (current as ErrorLayer).cause;
	}
	return layers;
}

function firstString(layers: ErrorLayer[], pick: (layer: ErrorLayer) => unknown): string | undefined {
	for (const layer of layers) {
		const value = pick(layer);
		if (typeof value === 'string' && value) return value;
	}
	return undefined;
}

function responseOf(layers: ErrorLayer[]): DestinationResponse | undefined {
	for (const layer of layers) {
		const response = layer.response;
		if (response && typeof response.status === 'number') {
			return {
				statusCode: response.status,
				headers: (response.headers ?? {}) as DestinationResponse['headers'],
				body: parseBody(response.data ?? response.body),
			};
		}
	}
	for (const layer of layers) {
		if (typeof layer.httpCode === 'string' && /^\d{3}$/.test(layer.httpCode)) return { statusCode: Number(layer.httpCode), headers: {}, body: undefined };
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
 * Turns an error below HTTP into a typed failure people can act on: a cancel, n8n's SSRF
 * protection, a refused certificate, a non-HTTP answer, a request that never left, or an answer
 * lost after sending. Only codes, host names and n8n's own explanations are kept.
 */
export function classifyTransportError(error: unknown, serviceName: string, url: string, signal?: { aborted: boolean }): ExportFailure {
	const layers = layersOf(error);
	const host = hostOf(url);
	const names = layers.map((layer) => (typeof layer.name === 'string' ? layer.name : ''));
	const codes = layers.map((layer) => (typeof layer.code === 'string' ? layer.code : '')).filter(Boolean);
	const messages = layers.map((layer) => (typeof layer.message === 'string' ? layer.message : ''));
	if (signal?.aborted || codes.includes('ERR_CANCELED') || names.includes('AbortError') || names.includes('CanceledError')) {
		// Cancelled while the request was out: the service may have it.
		const cancelled = new CancelledFailure();
		cancelled.mayHaveArrived = true;
		return cancelled;
	}
	const ssrf = layers.find((layer) => typeof layer.name === 'string' && layer.name.startsWith('Ssrf'));
	if (ssrf) {
		return new StopFailure(
			`n8n blocked the request to ${host}: ${String(ssrf.message)}`,
			typeof ssrf.description === 'string' ? ssrf.description : 'n8n\'s SSRF protection refuses this host. Ask your n8n administrator to allow it.',
		);
	}
	const certificate = codes.find((code) => CERTIFICATE_CODES.test(code));
	if (certificate) {
		return new StopFailure(
			`The TLS certificate of ${host} was refused (${certificate})`,
			`${serviceName} must be reached over https with a valid certificate. Check the URL in the credential; a proxy that replaces certificates needs its CA trusted by n8n (NODE_EXTRA_CA_CERTS).`,
		);
	}
	const protocol = codes.find((code) => PROTOCOL_CODES.test(code)) ?? (messages.some((message) => /wrong version number|Parse Error/i.test(message)) ? 'EPROTO' : undefined);
	if (protocol) {
		return new StopFailure(
			`${host} did not answer in ${url.startsWith('https:') ? 'HTTPS' : 'HTTP'} (${protocol})`,
			`Check the URL in the ${serviceName} credential: a server that speaks plain http answers an https:// URL this way, and another service may listen on that port.`,
		);
	}
	if (codes.includes('ENOTFOUND')) {
		return new StopFailure(`No host named ${host} was found (ENOTFOUND)`, `Check the URL in the ${serviceName} credential.`);
	}
	const notSent = codes.find((code) => NOT_SENT_CODES.has(code));
	if (notSent) return new RetryableFailure(`${host} could not be reached (${notSent})`);
	const lost = codes.find((code) => LOST_ANSWER_CODES.has(code))
		?? (messages.some((message) => /socket hang up/i.test(message)) ? 'ECONNRESET' : undefined)
		?? (messages.some((message) => /timeout|timed out/i.test(message)) ? 'ETIMEDOUT' : undefined);
	if (lost) return new RetryableFailure(`the answer from ${host} was lost (${lost})`, { mayHaveArrived: true });
	// n8n's own errors explain themselves; anything else is named by its type and code only.
	const described = layers.find((layer) => typeof layer.description === 'string' && typeof layer.message === 'string');
	if (described) return new StopFailure(`The request to ${host} failed: ${String(described.message)}`, String(described.description));
	const label = codes[0] ?? names.find((name) => name && name !== 'Error') ?? 'unknown error';
	return new RetryableFailure(`the request to ${host} failed (${label})`, { mayHaveArrived: true });
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'the service';
	}
}

function refreshFailure(layers: ErrorLayer[]): string | undefined {
	return firstString(layers, (layer) =>
		typeof layer.message === 'string' && /needs to be reconnected|could not be refreshed|refresh token/i.test(layer.message) ? layer.message : undefined,
	);
}

/**
 * Sends one request through n8n, which applies the credential (and refreshes OAuth2 tokens) and
 * passes the execution's cancel signal. Every HTTP status comes back as a response, redirects
 * included (they are never followed: credentials and contacts must not travel to another
 * origin); a failure below HTTP is thrown as a typed failure. Errors are rebuilt from status
 * codes and bodies only, because n8n's and axios' errors carry the request options, credentials
 * included.
 */
export async function sendRaw(
	context: RequestContext,
	credentialType: string,
	baseUrl: string,
	request: DestinationRequest,
	options: { oauth2?: boolean; serviceName?: string } = {},
): Promise<DestinationResponse> {
	const signal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal?.() : undefined;
	const url = `${baseUrl}${request.path}`;
	const httpOptions: IHttpRequestOptions = {
		method: request.method,
		url,
		qs: request.qs,
		headers: { accept: 'application/json' },
		returnFullResponse: true,
		// OAuth2 tokens are refreshed only when n8n sees the 401 as an error, so let those throw.
		ignoreHttpStatusErrors: !options.oauth2,
		disableFollowRedirect: true,
		timeout: REQUEST_TIMEOUT_MS,
		json: false,
		encoding: 'text' as IHttpRequestOptions['encoding'],
	};
	if (signal) httpOptions.abortSignal = signal;
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
		const layers = layersOf(error);
		const response = responseOf(layers);
		if (response) return response;
		// n8n could not refresh an OAuth2 token (revoked grant, spent refresh token): an authorization
		// failure to report, not a network fault to retry. n8n's message names the credential only.
		const refresh = refreshFailure(layers);
		if (refresh) return { statusCode: 401, headers: {}, body: { message: refresh } };
		throw classifyTransportError(error, options.serviceName ?? 'The service', url, signal);
	}
}

/** OAuth2 credential types are named so (lint rule cred-class-oauth2-naming): n8n refreshes their tokens on 401. */
export function usesOAuth2(credentialType: string): boolean {
	return credentialType.includes('OAuth2');
}

/**
 * A sender for the editor's list and field look-ups, which run outside an export (no pacing, no
 * retries): redirects and failures become errors the editor can show.
 */
export function editorSender(context: RequestContext, credentialType: string, baseUrl: string, serviceName = 'The service'): RequestSender {
	return async (request) => {
		try {
			const response = await sendRaw(context, credentialType, baseUrl, request, { oauth2: usesOAuth2(credentialType), serviceName });
			const redirect = redirectFailure(serviceName, response);
			if (redirect) throw redirect;
			return response;
		} catch (error) {
			const failure = error as Error & { description?: string };
			throw new NodeOperationError(context.getNode(), failure.message, { description: failure.description });
		}
	};
}

/** Text a service gave as the reason for an error status, if its body holds one (never an HTML page). */
export function serviceMessage(body: unknown): string | undefined {
	if (typeof body === 'string') return body.length < 300 && !/^\s*</.test(body) ? body.trim() || undefined : undefined;
	if (!body || typeof body !== 'object') return undefined;
	if (Array.isArray(body)) return body.length ? serviceMessage(body[0]) : undefined;
	const fields = body as Record<string, unknown>;
	for (const key of ['Message', 'message', 'error_message', 'detail', 'title', 'error']) {
		const value = fields[key];
		if (typeof value === 'string' && value) return value;
	}
	return undefined;
}

/** What an answer body is, in words, for errors about answers of the wrong shape (never its content). */
export function describeBody(body: unknown): string {
	if (body === undefined || body === null) return 'an empty answer';
	if (typeof body === 'string') return /^\s*</.test(body) ? 'an HTML page' : 'text that is not JSON';
	if (Array.isArray(body)) return body.length ? 'a JSON list of another shape' : 'an empty JSON list';
	if (typeof body === 'object') return Object.keys(body).length ? 'JSON of another shape' : 'an empty JSON object';
	return `a bare JSON ${typeof body}`;
}

/** A redirect is never followed: it names where it pointed so that the URL can be fixed. */
export function redirectFailure(serviceName: string, response: DestinationResponse): StopFailure | undefined {
	if (response.statusCode < 300 || response.statusCode >= 400) return undefined;
	const raw = response.headers.location ?? response.headers.Location;
	const location = Array.isArray(raw) ? raw[0] : raw;
	let where = 'another address';
	try {
		if (location) where = new URL(location, 'https://relative.invalid').host.replace('relative.invalid', 'another path of the same host');
	} catch {
		// an unreadable Location header: say only that there was one
	}
	return new StopFailure(
		`${serviceName} answered with a redirect (${response.statusCode}) to ${where}; redirects are not followed`,
		`Credentials and contact data are only sent to the URL in the credential. Check that URL (https, the right host and path).`,
		response.statusCode,
	);
}

/** The failure for an error status the node cannot go on from: the status and the service's words only. */
export function answerFailure(serviceName: string, what: string, response: DestinationResponse, oauth2 = false): StopFailure {
	const said = serviceMessage(response.body);
	const auth = response.statusCode === 401 || response.statusCode === 403;
	const message = auth
		? `${serviceName} refused the credentials (${response.statusCode}${said ? `: ${said}` : ''})`
		: `${serviceName} answered ${response.statusCode} to ${what}${said ? `: ${said}` : typeof response.body === 'string' ? ` with ${describeBody(response.body)}` : ''}`;
	const description = auth
		? oauth2
			? 'Reconnect the credential in n8n (Credentials → this credential → Reconnect), then run again.'
			: 'Check the API key in the credential.'
		: undefined;
	return new StopFailure(message, description, response.statusCode);
}

/** A success status whose body is not the documented JSON: the outcome cannot be known. */
export function unreadableAnswer(serviceName: string, what: string, response: DestinationResponse): UnconfirmedFailure {
	return new UnconfirmedFailure(`${serviceName} answered ${what} with ${describeBody(response.body)} (HTTP ${response.statusCode}), not the documented result`);
}

/** The same failure as an n8n error, for look-ups that run before anything is sent. */
export function responseError(node: INode, serviceName: string, what: string, response: DestinationResponse, oauth2 = false): NodeApiError {
	const failure = redirectFailure(serviceName, response) ?? answerFailure(serviceName, what, response, oauth2);
	return new NodeApiError(node, { message: failure.message, statusCode: response.statusCode } as JsonObject, {
		message: failure.message,
		httpCode: String(response.statusCode),
		description: failure.description,
	});
}

/** A discovery answer of the wrong shape (an HTML page with 200, say) as a clear error naming service and endpoint. */
export function unexpectedDiscovery(node: INode, serviceName: string, what: string, response: DestinationResponse): NodeOperationError {
	return new NodeOperationError(node, `${serviceName} answered ${what} with ${describeBody(response.body)} instead of the documented JSON`, {
		description: 'Check the base URL in the credential: a proxy, a login page or another service may be answering. Nothing was sent.',
	});
}
