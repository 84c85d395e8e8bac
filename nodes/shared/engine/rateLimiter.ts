import { sleep } from 'n8n-workflow';

export interface RateWindow {
	limit: number;
	windowMs: number;
	/** Only requests of this purpose count here (e.g. a lower rate for bulk imports). */
	purpose?: string;
}

interface Window {
	limit: number;
	windowMs: number;
	purpose?: string;
	/** Start times of the requests still inside the window, oldest first. */
	starts: number[];
}

/**
 * Paces requests for one account: sliding windows for the published limits, a pause that any
 * answer can impose (Retry-After, X-RateLimit-Reset) and a cap on requests in flight. One limiter is
 * shared by every node execution that uses the same account, so parallel branches cannot add up to
 * more than the service allows.
 */
export class RateLimiter {
	private readonly windows: Window[] = [];

	private pausedUntil = 0;

	/** Requests the service said are left in its current window, less those started since; undefined when unknown. */
	private budget?: number;

	private budgetResetsAt = 0;

	private inFlight = 0;

	/** Imports waiting for a slot: other requests (polls, look-ups) give way to them. */
	private importsWaiting = 0;

	private readonly waiting: Array<() => void> = [];

	constructor(
		private readonly maxConcurrent: number,
		limits: RateWindow[],
	) {
		for (const { limit, windowMs, purpose } of limits) {
			// The service stamps a request when it arrives, a little after we stamp it here: a small
			// margin keeps two requests sent a window apart from landing inside one window over there.
			this.windows.push({ limit, windowMs: windowMs + Math.max(10, windowMs * 0.01), purpose, starts: [] });
		}
	}

	/** Waits for a free slot under every limit, then takes it. Call `release` when the answer is in. */
	async acquire(purpose?: string): Promise<void> {
		// A window of this purpose alone (a lower import rate) is waited out first: that wait competes
		// with nobody. Then imports compete for the shared budget, and polls or look-ups give way to them.
		await this.waitFor(purpose, (window) => window.purpose === purpose);
		const isImport = purpose === 'import';
		if (isImport) this.importsWaiting++;
		else while (this.importsWaiting > 0) await sleep(5);
		try {
			if (this.inFlight >= this.maxConcurrent) {
				await new Promise<void>((resolve) => this.waiting.push(resolve));
			} else {
				this.inFlight++;
			}
			await this.waitFor(purpose, () => true);
		} finally {
			if (isImport) this.importsWaiting--;
		}
		const now = Date.now();
		for (const window of this.windows) if (!window.purpose || window.purpose === purpose) window.starts.push(now);
		if (this.budget !== undefined) this.budget--;
	}

	/** Sleeps until every window that `applies` and counts this purpose has room, and any pause is over. */
	private async waitFor(purpose: string | undefined, applies: (window: Window) => boolean): Promise<void> {
		for (;;) {
			const now = Date.now();
			if (this.budget !== undefined && now >= this.budgetResetsAt) this.budget = undefined;
			let waitMs = this.pausedUntil - now;
			if (this.budget !== undefined && this.budget <= 0) waitMs = Math.max(waitMs, this.budgetResetsAt - now);
			for (const window of this.windows) {
				if ((window.purpose && window.purpose !== purpose) || !applies(window)) continue;
				while (window.starts.length && window.starts[0] <= now - window.windowMs) window.starts.shift();
				if (window.starts.length >= window.limit) waitMs = Math.max(waitMs, window.starts[0] + window.windowMs - now);
			}
			if (waitMs <= 0) return;
			await sleep(waitMs);
		}
	}

	release(): void {
		const next = this.waiting.shift();
		// The slot passes straight to the next waiter, so the in-flight count stays the same.
		if (next) next();
		else this.inFlight--;
	}

	/**
	 * Takes in what an answer said of the service's window (X-RateLimit-Remaining/Reset): requests in
	 * flight will spend some of what remains, so only the rest may start before the window resets.
	 */
	observeWindow(remaining: number, resetMs: number): void {
		this.budget = remaining - this.inFlight;
		this.budgetResetsAt = Date.now() + resetMs;
	}

	/** Holds every request of this account until `untilMs` (epoch ms). */
	pauseUntil(untilMs: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, untilMs);
	}
}

const limiters = new Map<string, RateLimiter>();

/** The limiter of one account, created on first use. `key` must identify the account without revealing secrets. */
export function limiterFor(key: string, create: () => RateLimiter): RateLimiter {
	let limiter = limiters.get(key);
	if (!limiter) {
		limiter = create();
		limiters.set(key, limiter);
	}
	return limiter;
}
