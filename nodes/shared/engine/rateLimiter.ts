import { sleep } from 'n8n-workflow';

import { PauseTooLongFailure } from './errors';
import type { CancelSignal } from './waiting';
import { checkCancelled, WAIT_SLICE_MS } from './waiting';

export interface RateWindow {
	limit: number;
	windowMs: number;
	/** Only requests of this purpose count here (e.g. a lower rate for bulk imports). */
	purpose?: string;
}

/** How one caller waits: cancellable, and never longer than `maxWaitMs` for a pause the service imposed. */
export interface WaitPolicy {
	signal?: CancelSignal;
	serviceName: string;
	maxWaitMs: number;
	/** Told once per wait that lasts longer than a few seconds, so no wait is silent. */
	onLongWait?(waitMs: number, why: string): void;
}

/** What an answer said of the service's pacing. */
export interface PaceSignals {
	/** X-RateLimit-Remaining and the time until that window resets. */
	window?: { remaining: number; resetMs: number };
	/** Retry-After (or a reset on a 429): the whole account waits this long. */
	pauseMs?: number;
	/** The answer was a 429 (or the service's own throttling answer): the account's limits were overrun, by this process or by another one. */
	throttled?: boolean;
}

/** A request's place in the windows, held from before it is sent until its answer is in. */
export interface PaceTicket {
	readonly purpose: string;
	readonly entries: WindowEntry[];
	/** When the request was let go, and when its answer came (for tests and logs). */
	readonly sentAt: number;
	answeredAt?: number;
}

/**
 * Paces the requests of one account. Implementations may share state within one process (the
 * windows below) or learn from the service's answers across processes; the engine only sees this.
 */
export interface AccountPacer {
	acquire(purpose: string, policy: WaitPolicy): Promise<PaceTicket>;
	/** The answer arrived (or the request failed): frees the slot and takes in what the answer said. */
	settle(ticket: PaceTicket, signals?: PaceSignals): void;
	/** Holds every request of the account until `untilMs` (epoch ms); `why` is said if that is too long. */
	pauseUntil(untilMs: number, why: string): void;
}

interface WindowEntry {
	/** When the request's answer came; Infinity while it is in flight. */
	at: number;
}

interface Window {
	limit: number;
	windowMs: number;
	purpose?: string;
	entries: WindowEntry[];
}

/** A wait longer than this is announced through `onLongWait`. */
const LONG_WAIT_MS = 5_000;
/**
 * On a refusal this process keeps 1 − SHARE_DECREASE_PER_PART_USED × (the part of the account's
 * window it had used itself) of the rate it allowed itself, and at most SHARE_DECREASE_AT_MOST of it
 * (multiplicative decrease). A process that used more of the account yields more, so processes
 * sharing one move towards equal parts and end together; with a fixed × 0.7 one was often refused
 * more than its peer, kept a smaller part to the end and finished long after it (simulated, 2 ×
 * 100,000, seeds 1-24: 1.12-1.25 × the floor with × 0.7, 1.12-1.18 with this).
 */
export const SHARE_DECREASE_PER_PART_USED = 0.4;
export const SHARE_DECREASE_AT_MOST = 0.9;

/** What the share is multiplied by on a refusal, for the part (0-1) of the account's window this process used. */
export function shareDecrease(partUsed: number): number {
	return Math.min(SHARE_DECREASE_AT_MOST, 1 - SHARE_DECREASE_PER_PART_USED * Math.min(1, partUsed));
}

/**
 * The share grows back by this part of the published rate per longest window without a refusal (additive increase).
 * Two processes on one account finish only as early as the one left with the smaller share: at 5 %
 * a window it took back the rate its peer gave up too slowly (simulated, test/nodes/shared/
 * sharedAccountSimulation.test.ts, 100,000 contacts each, with × 0.7 on a refusal: the pair at
 * 1.18-1.54 × the floor; at 20 %, 1.12-1.21).
 */
export const SHARE_INCREASE_PER_WINDOW = 0.2;
/**
 * Processes sharing an account are refused about once a longest window; this long without a refusal
 * says the others have stopped (or slowed down), and the share grows back faster: the increment
 * doubles QUIET_DOUBLINGS_PER_WINDOW times a window, so a process left with half the rate takes the
 * rest back in about a window instead of three.
 */
export const QUIET_WINDOWS = 1.25;
export const QUIET_DOUBLINGS_PER_WINDOW = 4;
/** Never below this part of the published rate (each window still lets one request through). */
export const MIN_SHARE = 0.05;
/** Timer granularity: a request answered at t frees its slot at t + window + this. */
const TIMER_MARGIN_MS = 2;

/**
 * Sliding windows for the published limits, counted so that the service's own window, stamped
 * when a request arrives, can never hold more than the limit: a request occupies its slot from the
 * moment it is sent until a full window after its answer came, because it arrived somewhere in
 * between. That holds for a sliding window at the service and, a fortiori, for a fixed one. On top:
 * a cap on requests in flight, a budget from X-RateLimit headers and a pause any answer can impose.
 * One pacer is shared by every execution in this process that uses the same account.
 *
 * Other processes (n8n queue-mode workers) spending the same account are invisible but for the
 * service's refusals (a 429, or a throttling answer in the service's own form such as ActiveCampaign's
 * 400 for its imports per minute): each refusal of a request sent at the current rate shrinks the
 * share of the published limits this process allows itself (the more, the more of the account's
 * window it used itself: see SHARE_DECREASE_PER_PART_USED), and every longest
 * window without one gives some back (+ SHARE_INCREASE_PER_WINDOW, up to all of it). Processes
 * sharing an account settle near their fair parts with a refusal now and then; a process alone is
 * never refused and keeps it all.
 */
export class WindowPacer implements AccountPacer {
	private readonly windows: Window[] = [];

	private pausedUntil = 0;

	private pauseReason = '';

	/** Requests the service said are left in its current window, less those sent since; undefined when unknown. */
	private budget?: number;

	private budgetResetsAt = 0;

	private inFlight = 0;

	/** Imports waiting for a slot: other requests (polls, look-ups) give way to them. */
	private importsWaiting = 0;

	/** Woken whenever a slot is freed, so that waiters need not sleep a whole slice. */
	private freed: Array<() => void> = [];

	/** Part of the published limits this process allows itself (see the class comment). */
	private share = 1;

	/** When `share` last grew (or, after a 429, when it may start growing again). */
	private shareGrowsFrom = 0;

	/** When the growth since the last decrease started: the decrease, or the end of its pause. */
	private quietSince = 0;

	/** When `share` last shrank: 429s for requests sent before then were answers to the old rate. */
	private shrankAt = -Infinity;

	private readonly longestWindowMs: number;

	/** For tests and logs: every decrease of the share, with its time. */
	readonly shareHistory: Array<{ at: number; share: number }> = [];

	constructor(
		private readonly maxConcurrent: number,
		limits: RateWindow[],
		/** The clock, for tests that replay recorded timestamps. */
		private readonly now: () => number = Date.now,
	) {
		for (const { limit, windowMs, purpose } of limits) this.windows.push({ limit, windowMs: windowMs + TIMER_MARGIN_MS, purpose, entries: [] });
		this.longestWindowMs = Math.max(1_000, ...limits.map((window) => window.windowMs));
	}

	/**
	 * How much the share has grown back since the last decrease (or the end of the pause it came
	 * with), at `at`: SHARE_INCREASE_PER_WINDOW per longest window, and after QUIET_WINDOWS without a
	 * refusal an increment that doubles every 1 / QUIET_DOUBLINGS_PER_WINDOW of a window.
	 */
	private growthSinceDecrease(at: number): number {
		const windows = Math.max(0, (at - this.quietSince) / this.longestWindowMs);
		if (windows <= QUIET_WINDOWS) return SHARE_INCREASE_PER_WINDOW * windows;
		const doublings = QUIET_DOUBLINGS_PER_WINDOW * (windows - QUIET_WINDOWS);
		return SHARE_INCREASE_PER_WINDOW * (QUIET_WINDOWS + (2 ** doublings - 1) / (QUIET_DOUBLINGS_PER_WINDOW * Math.LN2));
	}

	/** The share now, after the increase since it last changed. */
	currentShare(now = this.now()): number {
		if (this.share < 1 && now > this.shareGrowsFrom) {
			this.share = Math.min(1, this.share + this.growthSinceDecrease(now) - this.growthSinceDecrease(this.shareGrowsFrom));
			this.shareGrowsFrom = now;
		}
		return this.share;
	}

	/**
	 * Waits for a free slot and takes it in the same synchronous step as the last check, so that two
	 * requests waiting at once can never both take the last slot of a window. A window of the
	 * request's purpose alone (a lower import rate) is waited out first: that wait competes with
	 * nobody. Then imports compete for the shared windows, and polls or look-ups give way to them —
	 * only to imports whose own window is free, since one that cannot go would hold them back for nothing.
	 */
	async acquire(purpose: string, policy: WaitPolicy): Promise<PaceTicket> {
		const isImport = purpose === 'import';
		let waitingAsImport = false;
		let announced = false;
		try {
			for (;;) {
				checkCancelled(policy.signal);
				const now = this.now();
				// Requests in flight up to the concurrency cap do not hold an import back from being counted:
				// it is ready, and polls must not take the next free slot before it.
				let blocked = this.blockedFor(purpose, now, policy, (window) => window.purpose === purpose);
				const ownWindowFree = blocked.ms <= 0 && !blocked.windowInFlight;
				if (isImport && ownWindowFree !== waitingAsImport) {
					waitingAsImport = ownWindowFree;
					this.importsWaiting += ownWindowFree ? 1 : -1;
				}
				if (ownWindowFree) {
					blocked = this.blockedFor(purpose, now, policy, () => true);
					const givesWay = !isImport && this.importsWaiting > 0;
					if (blocked.ms <= 0 && !blocked.windowInFlight && !blocked.concurrencyFull && !givesWay) return this.take(purpose, now);
				}
				if (!announced && blocked.ms > LONG_WAIT_MS) {
					announced = true;
					policy.onLongWait?.(blocked.ms, blocked.why);
				}
				await this.nap(blocked.ms > 0 ? Math.min(blocked.ms, WAIT_SLICE_MS) : WAIT_SLICE_MS, blocked.ms <= 0);
			}
		} finally {
			if (waitingAsImport) this.importsWaiting--;
		}
	}

	private take(purpose: string, now: number): PaceTicket {
		const entries: WindowEntry[] = [];
		for (const window of this.windows) {
			if (window.purpose && window.purpose !== purpose) continue;
			const entry = { at: Infinity };
			window.entries.push(entry);
			entries.push(entry);
		}
		this.inFlight++;
		if (this.budget !== undefined) this.budget--;
		return { purpose, entries, sentAt: now };
	}

	private isFull(window: Window, now: number): boolean {
		window.entries = window.entries.filter((entry) => entry.at > now - window.windowMs);
		// At the current share, and never below one request.
		return window.entries.length >= Math.max(1, Math.floor(window.limit * this.currentShare(now)));
	}

	/**
	 * How long the next request of `purpose` must wait: a pause or spent budget (capped by the
	 * policy), a full window (its oldest answer plus the window), or a slot still in flight.
	 */
	private blockedFor(
		purpose: string,
		now: number,
		policy: WaitPolicy,
		applies: (window: Window) => boolean,
	): { ms: number; windowInFlight: boolean; concurrencyFull: boolean; why: string } {
		if (this.budget !== undefined && now >= this.budgetResetsAt) this.budget = undefined;
		let ms = 0;
		let why = '';
		if (this.pausedUntil > now) {
			ms = this.pausedUntil - now;
			why = this.pauseReason;
		}
		if (this.budget !== undefined && this.budget <= 0 && this.budgetResetsAt - now > ms) {
			ms = this.budgetResetsAt - now;
			why = 'its rate-limit window is used up';
		}
		if (ms > policy.maxWaitMs) throw new PauseTooLongFailure(policy.serviceName, now + ms, why);
		let windowInFlight = false;
		for (const window of this.windows) {
			if ((window.purpose && window.purpose !== purpose) || !applies(window)) continue;
			if (!this.isFull(window, now)) continue;
			let oldest = Infinity;
			for (const entry of window.entries) oldest = Math.min(oldest, entry.at);
			if (oldest === Infinity) windowInFlight = true;
			else if (oldest + window.windowMs - now > ms) {
				ms = oldest + window.windowMs - now;
				why = 'its published rate limit';
			}
		}
		return { ms, windowInFlight, concurrencyFull: this.inFlight >= this.maxConcurrent, why };
	}

	/** Sleeps up to `ms`, or until a slot is freed when `wakeOnFree`. */
	private async nap(ms: number, wakeOnFree: boolean): Promise<void> {
		if (!wakeOnFree) {
			await sleep(ms);
			return;
		}
		let wake: () => void = () => {};
		const freed = new Promise<void>((resolve) => (wake = resolve));
		this.freed.push(wake);
		await Promise.race([freed, sleep(ms)]);
		this.freed = this.freed.filter((waiter) => waiter !== wake);
	}

	settle(ticket: PaceTicket, signals: PaceSignals = {}): void {
		if (ticket.answeredAt !== undefined) return;
		const now = this.now();
		ticket.answeredAt = now;
		for (const entry of ticket.entries) entry.at = now;
		this.inFlight--;
		if (signals.window) {
			// Requests still in flight will spend some of what remains.
			this.budget = signals.window.remaining - this.inFlight;
			this.budgetResetsAt = now + signals.window.resetMs;
		}
		if (signals.pauseMs !== undefined && signals.pauseMs > 0) this.pauseUntil(now + signals.pauseMs, 'it answered with Retry-After');
		if (signals.throttled && ticket.sentAt >= this.shrankAt) {
			this.share = Math.max(MIN_SHARE, this.currentShare(now) * shareDecrease(this.partOfAccountUsed(ticket.purpose, now)));
			this.shrankAt = now;
			// Growing again starts once the service's pause is over.
			this.shareGrowsFrom = Math.max(now, this.pausedUntil);
			this.quietSince = this.shareGrowsFrom;
			this.shareHistory.push({ at: now, share: this.share });
		}
		const waiters = this.freed;
		this.freed = [];
		for (const wake of waiters) wake();
	}

	/**
	 * The largest part of a published window (those that count requests of `purpose`) taken by this
	 * process's own requests of the last window, answered or in flight: what it used of the account.
	 */
	private partOfAccountUsed(purpose: string, now: number): number {
		let part = 0;
		for (const window of this.windows) {
			if (window.purpose && window.purpose !== purpose) continue;
			let mine = 0;
			for (const entry of window.entries) if (entry.at > now - window.windowMs) mine++;
			part = Math.max(part, mine / window.limit);
		}
		return part;
	}

	pauseUntil(untilMs: number, why: string): void {
		if (untilMs <= this.pausedUntil) return;
		this.pausedUntil = untilMs;
		this.pauseReason = why;
	}
}

const pacers = new Map<string, AccountPacer>();

/** The pacer of one account, created on first use. `key` must identify the account without revealing secrets. */
export function pacerFor(key: string, create: () => AccountPacer): AccountPacer {
	let pacer = pacers.get(key);
	if (!pacer) {
		pacer = create();
		pacers.set(key, pacer);
	}
	return pacer;
}
