import type { IncomingHttpHeaders } from 'http';

/** A request as a sandbox service sees it; `path` excludes the service's prefix. */
export interface SandboxRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	rawBody: Buffer;
	/**
	 * When the request arrived (its first byte, epoch ms): rate windows count requests by arrival,
	 * as a service stamps them, not by when the body was read or the answer written.
	 */
	arrivedAt: number;
}

export interface SandboxResponse {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** Written as it is instead of `body` as JSON. */
	rawBody?: string;
	/** Modelled processing time before the answer is written. */
	delayMs?: number;
	/** Contacts the request carried, for the request log. */
	contacts?: number;
}

export interface ServiceModule {
	/** Path prefix under which the service is served, e.g. "/cm". */
	readonly prefix: string;
	readonly name: string;
	/** Largest request body accepted; larger ones get 413 before any parsing. */
	readonly maxBodyBytes: number;
	handle(request: SandboxRequest): Promise<SandboxResponse> | SandboxResponse;
	reset(): void;
	/** State dump for the control API (tests in another process, the demo, benchmarks). */
	snapshot(): unknown;
	/** Makes the access tokens in use expire now (OAuth2 services), for the 'expire-token' fault. */
	expireTokens?(): void;
}

export type FaultKind = 'status' | 'drop-before' | 'drop-after' | 'slow' | 'expire-token' | 'headers';

/** A fault applied to the next `times` matching requests. */
export interface FaultSpec {
	service: string;
	kind: FaultKind;
	times: number;
	method?: string;
	/** Substring the request path must contain. */
	pathIncludes?: string;
	/** For 'status': the status, body and headers to answer with (nothing is processed); for 'headers': headers added to the processed answer. */
	status?: number;
	body?: unknown;
	/** For 'status': a body written as it is (an HTML page, say) instead of `body` as JSON. */
	rawBody?: string;
	headers?: Record<string, string>;
	/** For 'slow': extra time before the (processed) answer. */
	delayMs?: number;
	/** Skip this many matching requests first. */
	after?: number;
}

export interface RequestLogEntry {
	service: string;
	method: string;
	path: string;
	status: number | 'dropped';
	startedAt: number;
	endedAt: number;
	bytes: number;
	contacts: number;
	fault?: FaultKind;
	/** The Retry-After the answer carried, in milliseconds. */
	retryAfterMs?: number;
}

/** Fixed window counter per key, as services that answer X-RateLimit-Reset behave. */
export class FixedWindowLimiter {
	private readonly windows = new Map<string, { start: number; count: number }>();

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {}

	/** Counts a request; says whether it is allowed and what the headers should report. */
	take(key: string, now = Date.now()): { allowed: boolean; remaining: number; resetMs: number } {
		let window = this.windows.get(key);
		if (!window || now - window.start >= this.windowMs) {
			window = { start: now, count: 0 };
			this.windows.set(key, window);
		}
		const resetMs = window.start + this.windowMs - now;
		if (window.count >= this.limit) return { allowed: false, remaining: 0, resetMs };
		window.count++;
		return { allowed: true, remaining: this.limit - window.count, resetMs };
	}

	reset(): void {
		this.windows.clear();
	}
}

/** Sliding window log per key: at most `limit` requests in any `windowMs`. */
export class SlidingWindowLimiter {
	private readonly logs = new Map<string, number[]>();

	/** Largest number of requests seen in any window, for tests that check a client never exceeded it. */
	peak = 0;

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {}

	take(key: string, now = Date.now()): { allowed: boolean; retryAfterMs: number } {
		let log = this.logs.get(key);
		if (!log) this.logs.set(key, (log = []));
		while (log.length && log[0] <= now - this.windowMs) log.shift();
		if (log.length >= this.limit) return { allowed: false, retryAfterMs: log[0] + this.windowMs - now };
		// Requests are counted by arrival, and arrivals may be handled out of order: keep the log sorted.
		let at = log.length;
		while (at > 0 && log[at - 1] > now) at--;
		log.splice(at, 0, now);
		this.peak = Math.max(this.peak, log.length);
		return { allowed: true, retryAfterMs: 0 };
	}

	reset(): void {
		this.logs.clear();
		this.peak = 0;
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
	try {
		return { ok: true, value: JSON.parse(raw.toString('utf8')) };
	} catch (error) {
		return { ok: false, error: (error as Error).message };
	}
}

/** Reads HTTP Basic credentials. */
export function basicAuth(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
	const header = headers.authorization;
	if (!header?.startsWith('Basic ')) return undefined;
	const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Milliseconds as seconds for Retry-After: whole seconds at the published scale, fractions when sped up. */
export function retryAfterSeconds(ms: number, scale: number): string {
	return scale === 1 ? String(Math.max(1, Math.ceil(ms / 1000))) : (Math.max(1, ms) / 1000).toFixed(3);
}

/** Applies `apply` once `delayMs` has passed, without keeping the process alive for it. */
export function later(delayMs: number, apply: () => void): void {
	const timer = setTimeout(apply, Math.max(0, delayMs));
	timer.unref?.();
}

/**
 * The filtered list behind a paged read, computed on the first page and reused by the pages that
 * follow (their cursor names it): without it, reading a million contacts 250 at a time filtered them
 * 4,000 times and the sandbox, not the limits, set the pace. A snapshot no longer kept (at most
 * `keep`) is computed again. Undocumented at both services (Constant Contact, Omnisend): whether a
 * cursor shows contacts changed after its first page; the adapters do not rely on either answer
 * (contacts are merged by address, and a missed or repeated one only shifts a removal to the next run).
 */
export class PagedSnapshots<T> {
	private readonly snapshots = new Map<string, T[]>();
	private next = 0;

	constructor(private readonly keep = 8) {}

	/** The rows for `id` (from a cursor), or freshly `compute`d under a new id. */
	rows(id: string | null | undefined, compute: () => T[]): { id: string; rows: T[] } {
		const kept = id ? this.snapshots.get(id) : undefined;
		if (id && kept) return { id, rows: kept };
		const fresh = { id: `s${++this.next}`, rows: compute() };
		this.snapshots.set(fresh.id, fresh.rows);
		for (const old of this.snapshots.keys()) {
			if (this.snapshots.size <= this.keep) break;
			this.snapshots.delete(old);
		}
		return fresh;
	}

	clear(): void {
		this.snapshots.clear();
	}
}
