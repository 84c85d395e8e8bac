import type { IncomingMessage, Server, ServerResponse } from 'http';
import { createServer } from 'http';
import type { AddressInfo, Socket } from 'net';

import { AC_TEST_API_KEY, ActiveCampaignSandbox } from './activeCampaign';
import { CampaignMonitorSandbox, CM_TEST_API_KEY } from './campaignMonitor';
import { CC_CLIENT_ID, CC_CLIENT_SECRET, ConstantContactSandbox } from './constantContact';
import { OMNISEND_TEST_API_KEY, OmnisendSandbox } from './omnisend';
import type { FaultSpec, RequestLogEntry, SandboxRequest, SandboxResponse, ServiceModule } from './core';
import { parseJson, sleep } from './core';

export interface SandboxOptions {
	/** 0 picks a free port. */
	port?: number;
	/** Published rate limits and modelled processing times are sped up by this factor. */
	scale?: number;
	/** Lifetime of Constant Contact access tokens (default: the service's 24 hours). */
	ccAccessTokenSeconds?: number;
}

/**
 * One HTTP server on loopback emulating every destination under its own prefix, with a request
 * log, fault injection and a control API under /_sandbox for scripts in other processes.
 */
export class Sandbox {
	readonly scale: number;

	readonly campaignMonitor: CampaignMonitorSandbox;

	readonly constantContact: ConstantContactSandbox;

	readonly activeCampaign: ActiveCampaignSandbox;

	readonly omnisend: OmnisendSandbox;

	readonly services: ServiceModule[];

	readonly requests: RequestLogEntry[] = [];

	private faults: Array<FaultSpec & { seen: number }> = [];

	private server?: Server;

	private readonly sockets = new Set<Socket>();

	url = '';

	constructor(options: SandboxOptions = {}) {
		this.scale = options.scale ?? 1;
		this.campaignMonitor = new CampaignMonitorSandbox(this.scale);
		this.constantContact = new ConstantContactSandbox(this.scale, options.ccAccessTokenSeconds);
		this.activeCampaign = new ActiveCampaignSandbox(this.scale);
		this.omnisend = new OmnisendSandbox(this.scale);
		this.services = [this.campaignMonitor, this.constantContact, this.activeCampaign, this.omnisend];
	}

	async start(port = 0): Promise<this> {
		this.server = createServer((request, response) => {
			this.dispatch(request, response).catch((error: Error) => {
				if (!response.headersSent) this.write(response, { status: 500, body: { message: error.message } });
			});
		});
		this.server.keepAliveTimeout = 65_000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	/**
	 * Credential data for each exporter, pointing at this sandbox. Rate limit factors match the
	 * sandbox's scale, so clients pace themselves exactly as fast as the sped-up limits allow.
	 * Constant Contact's tokens are issued fresh, as the authorization-code flow would.
	 */
	get endpoints() {
		return {
			campaignMonitor: { baseUrl: `${this.url}${this.campaignMonitor.prefix}`, apiKey: CM_TEST_API_KEY },
			constantContact: this.constantContactCredentials(),
			activeCampaign: { accountUrl: `${this.url}${this.activeCampaign.prefix}`, apiKey: AC_TEST_API_KEY, rateLimitFactor: this.scale },
			omnisend: { baseUrl: `${this.url}${this.omnisend.prefix}`, apiKey: OMNISEND_TEST_API_KEY, rateLimitFactor: this.scale },
		};
	}

	constantContactCredentials() {
		return {
			baseUrl: `${this.url}${this.constantContact.prefix}/v3`,
			customOAuthServer: true,
			accessTokenUrl: `${this.url}${this.constantContact.prefix}/oauth2/default/v1/token`,
			authUrl: `${this.url}${this.constantContact.prefix}/oauth2/default/v1/authorize`,
			clientId: CC_CLIENT_ID,
			clientSecret: CC_CLIENT_SECRET,
			grantType: 'authorizationCode',
			authentication: 'header',
			scope: 'contact_data offline_access account_read',
			rateLimitFactor: this.scale,
			oauthTokenData: this.constantContact.issueTokens(),
		};
	}

	injectFault(fault: FaultSpec): void {
		this.faults.push({ ...fault, seen: 0 });
	}

	reset(): void {
		this.faults = [];
		this.requests.length = 0;
		for (const service of this.services) service.reset();
	}

	/** Requests to one service, optionally only those whose path contains `pathIncludes`. */
	requestsTo(service: string, pathIncludes?: string): RequestLogEntry[] {
		return this.requests.filter((entry) => entry.service === service && (!pathIncludes || entry.path.includes(pathIncludes)));
	}

	private takeFault(service: string, method: string, path: string): FaultSpec | undefined {
		for (const fault of this.faults) {
			if (fault.service !== service || fault.times <= 0) continue;
			if (fault.method && fault.method !== method) continue;
			if (fault.pathIncludes && !path.includes(fault.pathIncludes)) continue;
			fault.seen++;
			if (fault.after && fault.seen <= fault.after) continue;
			fault.times--;
			return fault;
		}
		return undefined;
	}

	private async dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const startedAt = Date.now();
		const url = new URL(request.url ?? '/', 'http://sandbox');
		if (url.pathname.startsWith('/_sandbox/')) return await this.control(request, response, url);
		const service = this.services.find((candidate) => url.pathname.startsWith(`${candidate.prefix}/`));
		if (!service) return this.write(response, { status: 404, body: { message: 'unknown service' } });
		const path = url.pathname.slice(service.prefix.length);
		const method = request.method ?? 'GET';
		const log: RequestLogEntry = { service: service.name, method, path, status: 0, startedAt, endedAt: 0, bytes: 0, contacts: 0 };
		this.requests.push(log);

		const body = await readBody(request, service.maxBodyBytes);
		log.bytes = body.bytes;
		const fault = this.takeFault(service.name, method, path);
		log.fault = fault?.kind;
		if (fault?.kind === 'drop-before') {
			log.status = 'dropped';
			log.endedAt = Date.now();
			request.socket.destroy();
			return;
		}
		if (fault?.kind === 'status') {
			log.status = fault.status ?? 500;
			log.endedAt = Date.now();
			return this.write(response, { status: log.status, body: fault.body, rawBody: fault.rawBody, headers: fault.headers });
		}
		if (fault?.kind === 'expire-token') service.expireTokens?.();
		if (body.tooLarge) {
			log.status = 413;
			log.endedAt = Date.now();
			return this.write(response, { status: 413, body: { message: `Request body over ${service.maxBodyBytes} bytes` } });
		}

		const sandboxRequest: SandboxRequest = { method, path, query: url.searchParams, headers: request.headers, rawBody: body.data, arrivedAt: startedAt };
		const answer = await service.handle(sandboxRequest);
		log.contacts = answer.contacts ?? 0;
		const delay = (answer.delayMs ?? 0) + (fault?.kind === 'slow' ? (fault.delayMs ?? 1000) : 0);
		if (delay > 0) await sleep(delay);
		log.endedAt = Date.now();
		if (fault?.kind === 'drop-after') {
			// Processed, but the client never hears back: it must re-send without counting twice.
			log.status = 'dropped';
			request.socket.destroy();
			return;
		}
		log.status = answer.status;
		const retryAfter = Number(answer.headers?.['Retry-After'] ?? answer.headers?.['retry-after']);
		if (Number.isFinite(retryAfter)) log.retryAfterMs = retryAfter * 1000;
		this.write(response, fault?.kind === 'headers' ? { ...answer, headers: { ...answer.headers, ...fault.headers } } : answer);
	}

	private write(response: ServerResponse, answer: SandboxResponse): void {
		const payload = answer.rawBody ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
		response.writeHead(answer.status, {
			'content-type': 'application/json; charset=utf-8',
			'content-length': Buffer.byteLength(payload),
			...answer.headers,
		});
		response.end(payload);
	}

	/** Control API: GET /_sandbox/state, GET /_sandbox/requests, POST /_sandbox/reset, POST /_sandbox/faults, /_sandbox/destinations/<slug>/…. */
	private async control(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
		const route = `${request.method} ${url.pathname}`;
		if (route === 'GET /_sandbox/state') {
			return this.write(response, {
				status: 200,
				body: Object.fromEntries(this.services.map((service) => [service.name, service.snapshot()])),
			});
		}
		if (route === 'GET /_sandbox/requests') return this.write(response, { status: 200, body: this.requests });
		if (route === 'POST /_sandbox/reset') {
			this.reset();
			return this.write(response, { status: 204 });
		}
		if (route === 'POST /_sandbox/faults') {
			const body = parseJson((await readBody(request, 1_000_000)).data);
			if (!body.ok) return this.write(response, { status: 400, body: { message: body.error } });
			for (const fault of ([] as FaultSpec[]).concat(body.value as FaultSpec)) this.injectFault(fault);
			return this.write(response, { status: 204 });
		}
		const listMatch = url.pathname.match(/^\/_sandbox\/campaignMonitor\/lists\/([^/]+)\/subscribers$/);
		if (request.method === 'GET' && listMatch) {
			return this.write(response, { status: 200, body: this.campaignMonitor.subscribers(decodeURIComponent(listMatch[1])) });
		}
		if (route === 'GET /_sandbox/constantContact/contacts') {
			return this.write(response, { status: 200, body: this.constantContact.contacts().map((contact) => ({ ...contact, lists: [...contact.lists] })) });
		}
		if (route === 'POST /_sandbox/constantContact/tokens') return this.write(response, { status: 200, body: this.constantContact.issueTokens() });
		if (route === 'GET /_sandbox/activeCampaign/contacts') {
			return this.write(response, { status: 200, body: this.activeCampaign.contacts().map((contact) => ({ ...contact, tags: [...contact.tags], lists: Object.fromEntries(contact.lists) })) });
		}
		// The registry's view of one destination for scripts in other processes (the e2e suite): its
		// default target's addresses, whether an address is opted out, and a contact added by another tool.
		const destinationMatch = url.pathname.match(/^\/_sandbox\/destinations\/([a-z-]+)\/(stored|opted-out|add-elsewhere)$/);
		if (destinationMatch) {
			// Loaded here: the registry imports the service modules this file also imports.
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const { destinationBySlug } = require('../destinations') as typeof import('../destinations');
			const destination = destinationBySlug(destinationMatch[1]);
			const email = url.searchParams.get('email') ?? '';
			if (destinationMatch[2] === 'stored') return this.write(response, { status: 200, body: destination.stored(this) });
			if (destinationMatch[2] === 'opted-out') return this.write(response, { status: 200, body: { optedOut: destination.optedOut(this, email) } });
			if (request.method === 'POST') {
				destination.addElsewhere(this, email);
				return this.write(response, { status: 204 });
			}
		}
		if (route === 'GET /_sandbox/omnisend/contacts') {
			return this.write(response, { status: 200, body: this.omnisend.contacts().map((contact) => ({ ...contact, tags: [...contact.tags] })) });
		}
		this.write(response, { status: 404, body: { message: 'unknown control route' } });
	}
}

/** Reads a body, stopping at `limit` bytes (the rest is drained, not kept). */
async function readBody(request: IncomingMessage, limit: number): Promise<{ data: Buffer; bytes: number; tooLarge: boolean }> {
	const chunks: Buffer[] = [];
	let bytes = 0;
	for await (const chunk of request) {
		bytes += (chunk as Buffer).length;
		if (bytes <= limit) chunks.push(chunk as Buffer);
	}
	return { data: Buffer.concat(chunks), bytes, tooLarge: bytes > limit };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	return await new Sandbox(options).start(options.port ?? 0);
}
