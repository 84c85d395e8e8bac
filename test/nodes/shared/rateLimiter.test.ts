import { CancelledFailure, PauseTooLongFailure } from '../../../nodes/shared/engine/errors';
import type { PaceTicket, WaitPolicy } from '../../../nodes/shared/engine/rateLimiter';
import { MIN_SHARE, QUIET_WINDOWS, SHARE_DECREASE_AT_MOST, SHARE_INCREASE_PER_WINDOW, shareDecrease, WindowPacer } from '../../../nodes/shared/engine/rateLimiter';
import type { SentRequest } from '../../harness/pacing';
import { windowOverruns } from '../../harness/pacing';

const policy: WaitPolicy = { serviceName: 'Test', maxWaitMs: 60_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `count` requests through the pacer from `workers` workers, each answered after a random latency. */
async function record(pacer: WindowPacer, count: number, workers: number, purpose = 'import'): Promise<SentRequest[]> {
	const sent: SentRequest[] = [];
	let left = count;
	await Promise.all(
		Array.from({ length: workers }, async () => {
			while (left-- > 0) {
				const ticket: PaceTicket = await pacer.acquire(purpose, policy);
				await sleep(Math.random() * 15);
				pacer.settle(ticket);
				sent.push({ purpose, status: 200, sentAt: ticket.sentAt, answeredAt: ticket.answeredAt! });
			}
		}),
	);
	return sent.sort((a, b) => a.sentAt - b.sentAt);
}

describe('WindowPacer', () => {
	test('a request holds its slot from sending until a full window after its answer, so no window at the service can overflow', async () => {
		const pacer = new WindowPacer(3, [{ limit: 4, windowMs: 60 }]);
		const sent = await record(pacer, 30, 3);
		expect(sent).toHaveLength(30);
		expect(windowOverruns(sent, 4, 60)).toEqual([]);
	});

	test('the recorded-timestamp check finds a request stamped at sending, as the old limiter did', () => {
		// Five requests answered late: the sixth, sent a window after the first was *sent*, may land
		// inside the window the first *arrived* in.
		const sent: SentRequest[] = [0, 1, 2, 3, 4].map((at) => ({ purpose: 'import', status: 200, sentAt: at, answeredAt: at + 64 }));
		sent.push({ purpose: 'import', status: 200, sentAt: 1010, answeredAt: 1012 });
		expect(windowOverruns(sent, 5, 1000)).toHaveLength(1);
	});

	test('a per-purpose window counts only its purpose; the shared one counts all', async () => {
		const pacer = new WindowPacer(4, [
			{ limit: 6, windowMs: 80 },
			{ limit: 2, windowMs: 80, purpose: 'import' },
		]);
		const [imports, polls] = await Promise.all([record(pacer, 8, 2, 'import'), record(pacer, 8, 2, 'poll')]);
		expect(windowOverruns(imports, 2, 80)).toEqual([]);
		expect(windowOverruns([...imports, ...polls].sort((a, b) => a.sentAt - b.sentAt), 6, 80)).toEqual([]);
	});

	test('requests asking at the same moment never share the last slot of a window', async () => {
		// The check and the taking of a slot happen in one step: the old limiter let every request that
		// asked in the same tick through, one window holding as many as were waiting.
		const pacer = new WindowPacer(6, [{ limit: 2, windowMs: 60 }]);
		const sent: SentRequest[] = await Promise.all(
			Array.from({ length: 6 }, async () => {
				const ticket = await pacer.acquire('import', policy);
				pacer.settle(ticket);
				return { purpose: 'import', status: 200, sentAt: ticket.sentAt, answeredAt: ticket.answeredAt! };
			}),
		);
		expect(windowOverruns(sent.sort((a, b) => a.sentAt - b.sentAt), 2, 60)).toEqual([]);
	});

	test('polls give way to an import that can go, not to one whose own window is full', async () => {
		// Two imports ready at once with one import slot left: the second waits a whole import window.
		// A poll asked for meanwhile goes before it (the old rule held polls back for that whole window).
		const pacer = new WindowPacer(3, [
			{ limit: 5, windowMs: 50 },
			{ limit: 1, windowMs: 400, purpose: 'import' },
		]);
		const order: string[] = [];
		const send = async (name: string, purpose: string) => {
			const ticket = await pacer.acquire(purpose, policy);
			order.push(name);
			pacer.settle(ticket);
		};
		await Promise.all([send('first import', 'import'), send('second import', 'import'), sleep(20).then(async () => await send('poll', 'poll'))]);
		expect(order).toEqual(['first import', 'poll', 'second import']);
	});

	test('a pause longer than the cap fails at once, naming the time; the pause stays for the account', async () => {
		const pacer = new WindowPacer(1, []);
		pacer.pauseUntil(Date.now() + 2 * 3_600_000, 'it answered with Retry-After');
		await expect(pacer.acquire('import', policy)).rejects.toThrow(PauseTooLongFailure);
		await expect(pacer.acquire('poll', policy)).rejects.toThrow(/asked to wait until \d{2}:\d{2} UTC/);
	});

	test('a spent X-RateLimit budget with a reset beyond the cap fails at once', async () => {
		const pacer = new WindowPacer(1, []);
		const ticket = await pacer.acquire('import', policy);
		pacer.settle(ticket, { window: { remaining: 0, resetMs: 86_400_000 } });
		await expect(pacer.acquire('import', policy)).rejects.toThrow(/rate-limit window is used up/);
	});

	test('a wait ends with CancelledFailure once the execution is cancelled', async () => {
		const pacer = new WindowPacer(1, []);
		pacer.pauseUntil(Date.now() + 30_000, 'it answered with Retry-After');
		const signal = { aborted: false };
		const waiting = pacer.acquire('import', { ...policy, signal });
		signal.aborted = true;
		await expect(waiting).rejects.toThrow(CancelledFailure);
	});

	test('a long wait is announced once, so no wait is silent', async () => {
		const pacer = new WindowPacer(1, []);
		pacer.pauseUntil(Date.now() + 6_000, 'it answered with Retry-After');
		const said: string[] = [];
		const signal = { aborted: false };
		const waiting = pacer.acquire('import', { ...policy, signal, onLongWait: (ms, why) => said.push(`${Math.ceil(ms / 1000)} s: ${why}`) });
		await sleep(50);
		signal.aborted = true;
		await expect(waiting).rejects.toThrow(CancelledFailure);
		expect(said).toEqual(['6 s: it answered with Retry-After']);
	});

	describe('share of the account across processes (429s only, no shared memory)', () => {
		/** A pacer on a clock the test sets: every timestamp below is a recorded one, not a wall-clock reading. */
		function pacerAt(limit: number, windowMs: number) {
			const clock = { now: 0 };
			const pacer = new WindowPacer(100, [{ limit, windowMs }], () => clock.now);
			return { pacer, clock };
		}

		test('a 429 shrinks the share once per rate: 429s for requests sent before the last shrink were answers to the old rate', async () => {
			const { pacer, clock } = pacerAt(10, 1000);
			const early = await Promise.all([pacer.acquire('import', policy), pacer.acquire('import', policy), pacer.acquire('import', policy)]);
			clock.now = 10;
			pacer.settle(early[0], { throttled: true });
			clock.now = 11;
			pacer.settle(early[1], { throttled: true });
			pacer.settle(early[2], {});
			// Three of the window's ten were this process's: it keeps 1 − 0.4 × 0.3 of its rate.
			expect(pacer.shareHistory).toEqual([{ at: 10, share: shareDecrease(0.3) }]);
			expect(shareDecrease(0.3)).toBeCloseTo(0.88, 9);
			clock.now = 20;
			const later = await pacer.acquire('import', policy);
			clock.now = 30;
			pacer.settle(later, { throttled: true });
			expect(pacer.shareHistory.map((change) => change.at)).toEqual([10, 30]);
			// Between the two, 20 ms of growth: SHARE_INCREASE_PER_WINDOW × 20 / 1000.
			// Then four of ten (the three answered, the later one).
			expect(pacer.shareHistory[1].share).toBeCloseTo((shareDecrease(0.3) + (SHARE_INCREASE_PER_WINDOW * 20) / 1000) * shareDecrease(0.4), 9);
		});

		test('a process that used more of the account yields more: from 0.9 of its rate (a small part used) down to 0.6 (all of it)', () => {
			expect([0, 0.25, 0.5, 0.75, 1, 2].map((part) => Math.round(shareDecrease(part) * 100) / 100)).toEqual([SHARE_DECREASE_AT_MOST, 0.9, 0.8, 0.7, 0.6, 0.6]);
		});

		test('the share grows back additively, per longest window, from the end of the pause the 429 imposed', async () => {
			const { pacer, clock } = pacerAt(10, 1000);
			// The whole window was this process's: the refusal leaves it 0.6.
			const tickets = await Promise.all(Array.from({ length: 10 }, async () => await pacer.acquire('import', policy)));
			clock.now = 100;
			for (const ticket of tickets.slice(1)) pacer.settle(ticket);
			pacer.settle(tickets[0], { throttled: true, pauseMs: 400 });
			const low = shareDecrease(1);
			expect(pacer.currentShare(500)).toBeCloseTo(low, 9);
			expect(pacer.currentShare(1500)).toBeCloseTo(low + SHARE_INCREASE_PER_WINDOW, 9);
			expect(pacer.currentShare(500 + 1000 * Math.ceil((1 - low) / SHARE_INCREASE_PER_WINDOW))).toBe(1);
		});

		test('after QUIET_WINDOWS without a refusal the share grows faster: a process left alone takes the rest back within two windows', async () => {
			const { pacer, clock } = pacerAt(1000, 1000);
			// Eleven refusals of a process that used a hundredth of the window or less: × 0.9 each.
			for (let round = 0; round < 11; round++) pacer.settle(await pacer.acquire('import', policy), { throttled: true });
			const low = SHARE_DECREASE_AT_MOST ** 11;
			expect(pacer.shareHistory.at(-1)!.share).toBeCloseTo(low, 9);
			// Additive up to QUIET_WINDOWS after the last refusal (instant 0)…
			clock.now = 1000 * QUIET_WINDOWS;
			expect(pacer.currentShare()).toBeCloseTo(low + SHARE_INCREASE_PER_WINDOW * QUIET_WINDOWS, 9);
			// …then more than additive, and all of it two windows after the refusal (additively: 0.71).
			clock.now = 1500;
			expect(pacer.currentShare()).toBeGreaterThan(low + SHARE_INCREASE_PER_WINDOW * 1.5);
			clock.now = 2000;
			expect(pacer.currentShare()).toBe(1);
			expect(low + SHARE_INCREASE_PER_WINDOW * 2).toBeLessThan(0.75);
		});

		test('the share never falls below its floor', async () => {
			const { pacer, clock } = pacerAt(1000, 1000);
			for (let round = 0; round < 40; round++) {
				// Sent after the last shrink and throttled at the same recorded instant: no growth in between.
				const ticket = await pacer.acquire('import', policy);
				pacer.settle(ticket, { throttled: true });
			}
			expect(pacer.shareHistory).toHaveLength(40);
			expect(pacer.shareHistory.at(-1)!.share).toBe(MIN_SHARE);
			expect(clock.now).toBe(0);
		});

		test('at a share of 0.9 a window of 10 lets 9 requests through at one instant; the 10th waits for the window', async () => {
			const { pacer, clock } = pacerAt(10, 1000);
			const first = await pacer.acquire('import', policy);
			pacer.settle(first, { throttled: true });
			const sent: PaceTicket[] = [];
			// Eight more fit at the recorded instant 0 (9 with the first); the next one does not.
			for (let index = 0; index < 8; index++) sent.push(await pacer.acquire('import', policy));
			let tenth: PaceTicket | undefined;
			const waiting = pacer.acquire('import', policy).then((ticket) => (tenth = ticket));
			await sleep(30);
			expect(tenth).toBeUndefined();
			for (const ticket of sent) pacer.settle(ticket);
			// A full window after the first answer its slot is free (the share has grown by then too).
			clock.now = 1003;
			await waiting;
			expect(tenth!.sentAt).toBe(1003);
		});

		test('a process alone that never sees a 429 keeps the whole published rate', async () => {
			const pacer = new WindowPacer(3, [{ limit: 4, windowMs: 60 }]);
			const sent = await record(pacer, 12, 3);
			expect(pacer.shareHistory).toEqual([]);
			expect(pacer.currentShare()).toBe(1);
			expect(windowOverruns(sent, 4, 60)).toEqual([]);
		});
	});
});
