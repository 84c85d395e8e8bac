import { CancelledFailure, PauseTooLongFailure } from '../../../nodes/shared/engine/errors';
import type { PaceTicket, WaitPolicy } from '../../../nodes/shared/engine/rateLimiter';
import { WindowPacer } from '../../../nodes/shared/engine/rateLimiter';
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
});
