/**
 * Fault matrix: answers and waits a real service or network may produce, for every destination of
 * the registry where the fault applies.
 *
 * | item                                        | CM | CC | AC | Omnisend |
 * |---------------------------------------------|----|----|----|----------|
 * | 1 unreadable success answer → unconfirmed   | ✓  | ✓  | ✓  | ✓        |
 * | 2 long pause → ends at once, account paused | ✓  | ✓  | ✓  | ✓        |
 * | 2 reset of a day on a success → ends        | ✓  | ✓  | ✓  | ✓        |
 * | 3 cancel during a pause / a request         | ✓  | ✓  | ✓  | ✓        |
 * | 4 poll answer of another shape              |    | ✓  | ✓  | ✓        |
 * | 5 redirect never followed                   | ✓  | ✓  | ✓  | ✓        |
 * | 6 terminal job state ends at once           |    | ✓  | ✓  |          |
 * | 6 job never ending → job timeout            |    | ✓  | ✓  | ✓        |
 * | 7 endless paging bounded                    |    |    | ✓  |          |
 * | 8 a profile with a "members" field          | ✓  | ✓  | ✓  | ✓        |
 * | 9 HTML discovery answer, non-HTTP reply     | ✓  | ✓  | ✓  | ✓        |
 * | 10 answer lost after sending → unconfirmed  | ✓  | ✓  | ✓  | ✓        |
 */
import type { IDataObject } from 'n8n-workflow';

import type { DestinationCase } from './destinations';
import { ASYNC_DESTINATIONS, DESTINATIONS } from './destinations';
import { makeProfiles, useSandbox } from './harness/fixtures';
import type { WorkflowRun } from './harness/run';
import { logLines, runWorkflow } from './harness/run';
import { chain } from './harness/workflows';

const sandbox = useSandbox();
let nextAccount = 1;

/** Runs an export of `profiles` to the destination on an account of its own unless one is given. */
async function runExport(destination: DestinationCase, profiles: IDataObject[], options: { parameters?: IDataObject; continueOnFail?: boolean; account?: number; onStart?: (cancel: () => void) => void } = {}): Promise<WorkflowRun> {
	const account = options.account ?? nextAccount++;
	return await runWorkflow(
		chain({
			name: 'Export',
			type: destination.nodeType,
			credentials: destination.credentialRef,
			parameters: { ...destination.parameters, ...options.parameters },
			continueOnFail: options.continueOnFail,
		}),
		{
			credentials: { [destination.credentialType]: destination.credentials(sandbox(), account) },
			startItems: profiles.map((json) => ({ json })),
			onStart: options.onStart,
		},
	);
}

function expectAccountingAddsUp(summary: IDataObject): void {
	expect(summary.received).toBe(Number(summary.exported) + Number(summary.rejected) + Number(summary.skipped) + Number(summary.notSent));
	expect(Number(summary.unconfirmed)).toBeLessThanOrEqual(Number(summary.notSent));
}

const profiles = (count: number) => makeProfiles(count, 0, 0).profiles;

describe.each(DESTINATIONS)('$serviceName under faults', (destination) => {
	const fault = (spec: IDataObject) => sandbox().injectFault({ service: destination.key, kind: 'status', pathIncludes: destination.importPath, method: 'POST', times: 1, ...spec });

	test.each([
		['an empty object', { body: {} }],
		['an empty list', { body: [] }],
		['null', { body: null }],
		['a bare string', { body: 'OK' }],
		['an HTML page', { rawBody: '<html><body>Service temporarily unavailable</body></html>', headers: { 'content-type': 'text/html' } }],
	])('1: a success answer of %s is never success: the batch is unconfirmed', async (_label, answer) => {
		fault({ status: 200, ...answer });
		const result = await runExport(destination, profiles(5), { continueOnFail: true });
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'partial', received: 5, exported: 0, notSent: 5, unconfirmed: 5 });
		expect(String(summary.json.error)).toMatch(new RegExp(`^${destination.serviceName} answered`));
		expectAccountingAddsUp(summary.json);
		const rejected = result.output('Export', 1);
		expect(rejected.map((item) => item.json.reason)).toEqual(new Array(5).fill('unconfirmed'));
		expect(String(rejected[0].json.message)).toMatch(/re-running the export is safe/);
	});

	test('2: a 429 asking for two hours ends the run at once with the time, and a later run on the account too', async () => {
		const account = nextAccount++;
		fault({ status: 429, headers: { 'Retry-After': '7200' }, body: {} });
		logLines.length = 0;
		const first = await runExport(destination, profiles(5), { account, continueOnFail: true });
		const [summary] = first.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'partial', exported: 0, notSent: 5, unconfirmed: 0 });
		expect(String(summary.json.error)).toMatch(new RegExp(`^${destination.serviceName} asked to wait until \\d{2}:\\d{2} UTC`));
		const requestsBefore = sandbox().requests.length;
		const second = await runExport(destination, profiles(5), { account });
		expect(second.nodeError('Export')!.message).toMatch(/asked to wait until \d{2}:\d{2} UTC/);
		// The pause stays on the account: the later run sends nothing at all.
		expect(sandbox().requests.length).toBe(requestsBefore);
		// Neither run waited: no wait was ever announced (every wait over five seconds is).
		expect(logLines.filter((line) => /waiting \d+ s before the next request/.test(line.message))).toEqual([]);
	});

	test('2: X-RateLimit-Reset of a day on a success answer ends the run instead of stalling', async () => {
		sandbox().injectFault({ service: destination.key, kind: 'headers', pathIncludes: destination.importPath, method: 'POST', times: 1, headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '86400' } });
		const result = await runExport(destination, profiles(5), { continueOnFail: true, parameters: { options: { batchSize: 2 } } });
		const [summary] = result.output('Export', 0);
		expect(String(summary.json.error)).toMatch(/asked to wait until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
		expectAccountingAddsUp(summary.json);
	});

	test('3: a cancel during a 60-second pause settles the node within 5 seconds, with the accounting logged', async () => {
		fault({ status: 429, headers: { 'Retry-After': '60' }, body: {} });
		await expectCancelSettles(destination, 'pause');
	});

	test('3: a cancel during a request in flight settles the node within 5 seconds; the batch is unconfirmed', async () => {
		sandbox().injectFault({ service: destination.key, kind: 'slow', delayMs: 60_000, pathIncludes: destination.importPath, method: 'POST', times: 1 });
		const line = await expectCancelSettles(destination, 'request');
		expect(line).toMatch(/not sent 5 \(unconfirmed 5\)/);
	});

	test.each([
		[302, 'http://elsewhere.example.net/steal'],
		[307, 'https://other.example.org/api'],
	])('5: a %i redirect is not followed; the error names the host', async (status, location) => {
		fault({ status, headers: { Location: location }, body: {} });
		const result = await runExport(destination, profiles(5));
		const host = new URL(location).host;
		expect(result.nodeError('Export')!.message).toContain(`redirect (${status}) to ${host}`);
		expect(sandbox().requests.filter((request) => request.path.includes('steal'))).toHaveLength(0);
		expect(destination.stored(sandbox())).toHaveLength(0);
	});

	test('8: a profile that has a "members" field is exported as a profile', async () => {
		const result = await runExport(destination, [{ email: 'club@example.com', firstName: 'Club', members: [{ name: 'Ann' }, { name: 'Bo' }] }]);
		expect(result.output('Export', 0)[0].json).toMatchObject({ received: 1, exported: 1 });
		expect(destination.stored(sandbox())).toEqual(['club@example.com']);
	});

	test('9: a discovery answer that is an HTML page is a clear error naming service and endpoint; nothing is sent', async () => {
		sandbox().injectFault({ service: destination.key, kind: 'status', method: 'GET', times: 1, status: 200, rawBody: '<!doctype html><title>Sign in</title>', headers: { 'content-type': 'text/html' } });
		const result = await runExport(destination, profiles(3));
		expect(result.nodeError('Export')!.message).toMatch(new RegExp(`^${destination.serviceName} answered the [a-z -]+ with an HTML page instead of the documented JSON`));
		expect(sandbox().requestsTo(destination.key, destination.importPath).filter((request) => request.method === 'POST')).toHaveLength(0);
	});

	test('9: a server that does not speak HTTPS is named as such, without retries', async () => {
		const credentials = destination.credentials(sandbox(), nextAccount++);
		const https = (url: unknown) => String(url).replace('http://', 'https://');
		for (const key of ['baseUrl', 'accountUrl']) if (credentials[key]) credentials[key] = https(credentials[key]);
		const result = await runWorkflow(chain({ name: 'Export', type: destination.nodeType, credentials: destination.credentialRef, parameters: destination.parameters }), {
			credentials: { [destination.credentialType]: credentials },
			startItems: [{ json: { email: 'a@example.com' } }],
		});
		const error = result.nodeError('Export')!;
		expect(error.message).toMatch(/did not answer in HTTPS \((EPROTO|ERR_SSL_[A-Z_]+)\)/);
		expect(error.description).toMatch(/Check the URL/);
	});

	test('10: an answer lost after processing, again and again, ends unconfirmed; re-running is safe', async () => {
		sandbox().injectFault({ service: destination.key, kind: 'drop-after', pathIncludes: destination.importPath, method: 'POST', times: 20 });
		const result = await runExport(destination, profiles(4), { continueOnFail: true });
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'partial', exported: 0, notSent: 4, unconfirmed: 4 });
		expectAccountingAddsUp(summary.json);
		expect(result.output('Export', 1).every((item) => item.json.reason === 'unconfirmed')).toBe(true);
	});
});

describe.each(ASYNC_DESTINATIONS)('$serviceName jobs under faults', (destination) => {
	test.each([
		['null', null],
		['an empty object', {}],
		['a list of another shape', [{ unexpected: true }]],
		['an HTML page', '<html>maintenance</html>'],
	])('4: a poll answer of %s ends with the accounting, not a crash', async (_label, body) => {
		sandbox().injectFault({ service: destination.key, kind: 'status', method: 'GET', pathIncludes: destination.pollPath, status: 200, times: 50, ...(typeof body === 'string' ? { rawBody: body } : { body }) });
		const result = await runExport(destination, profiles(6), { continueOnFail: true, parameters: { options: { jobTimeoutMinutes: 0.05 } } });
		const [summary] = result.output('Export', 0);
		expect(summary.json).toMatchObject({ status: 'partial', received: 6, exported: 0, notSent: 6, unconfirmed: 6 });
		expectAccountingAddsUp(summary.json);
		expect(result.output('Export', 1)).toHaveLength(6);
	});

	test('6: a job that never ends stops at the job timeout, naming the job', async () => {
		sandbox().injectFault({ service: destination.key, kind: 'status', method: 'GET', pathIncludes: destination.pollPath, status: 200, times: 500, body: pendingAnswer(destination) });
		const result = await runExport(destination, profiles(3), { parameters: { options: { jobTimeoutMinutes: 0.02 } } });
		const error = result.nodeError('Export')!;
		expect(error.message).toMatch(new RegExp(`${destination.serviceName} job \\S+ made no progress for 1 seconds`));
		expect(error.description).toMatch(/not sent 3 \(unconfirmed 3\)/);
	});

	if (destination.failedJobAnswer !== undefined) {
		test('6: a job in a terminal failure state ends at once', async () => {
			sandbox().injectFault({ service: destination.key, kind: 'status', method: 'GET', pathIncludes: destination.pollPath, status: 200, times: 50, body: destination.failedJobAnswer });
			const result = await runExport(destination, profiles(3), { continueOnFail: true });
			const [summary] = result.output('Export', 0);
			expect(summary.json).toMatchObject({ status: 'partial', exported: 0, unconfirmed: 3 });
			expect(String(summary.json.error)).toMatch(/failed/);
			// Ended in the first poll round, by the answer that said so, not by the job timeout (30
			// minutes by default). A round is one request (Constant Contact: the collection, then the activity).
			expect((summary.json.requestsByPurpose as { poll: number }).poll).toBeLessThanOrEqual(2);
		});
	}
});

test('7: ActiveCampaign list paging ends even when meta.total is not a number', async () => {
	const destination = DESTINATIONS.find((candidate) => candidate.key === 'activeCampaign')!;
	const page = { lists: Array.from({ length: 100 }, (_, index) => ({ id: String(index + 10), name: `L${index}` })), meta: { total: 'many' } };
	sandbox().injectFault({ service: 'activeCampaign', kind: 'status', method: 'GET', pathIncludes: '/lists', status: 200, times: 2000, body: page });
	const result = await runExport(destination, profiles(2));
	expect(result.nodeError('Export')!.message).toMatch(/kept sending pages/);
	expect(sandbox().requestsTo('activeCampaign', '/lists').length).toBeLessThanOrEqual(1000);
}, 60_000);

/** A poll answer saying every job is still running, in the service's documented form. */
function pendingAnswer(destination: DestinationCase): unknown {
	if (destination.key === 'activeCampaign') return { status: 'active' };
	if (destination.key === 'constantContact') return { activities: [], state: 'processing', activity_id: 'x' };
	return { batches: [] };
}

/** Cancels once the export is waiting (a pause or a slow request), and checks the node settled within 5 s. */
async function expectCancelSettles(destination: DestinationCase, waitingOn: 'pause' | 'request'): Promise<string> {
	logLines.length = 0;
	let cancelledAt = 0;
	await runExport(destination, profiles(5), {
		onStart: (cancel) => {
			const poll = setInterval(() => {
				const waiting = waitingOn === 'pause'
					? sandbox().requestsTo(destination.key, destination.importPath).some((request) => request.status === 429)
					: sandbox().requestsTo(destination.key, destination.importPath).some((request) => request.method === 'POST');
				if (!waiting) return;
				clearInterval(poll);
				setTimeout(() => {
					cancelledAt = Date.now();
					cancel();
				}, 500);
			}, 20);
		},
	});
	const finished = await waitForLog(new RegExp(`${destination.serviceName} export stopped \\(cancelled\\)`), 15_000);
	expect(cancelledAt).toBeGreaterThan(0);
	expect(finished.at - cancelledAt).toBeLessThan(5_000);
	expect(finished.message).toMatch(/received 5, exported 0, rejected 0, skipped 0, not sent 5/);
	return finished.message;
}

async function waitForLog(pattern: RegExp, timeoutMs: number): Promise<{ message: string; at: number }> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const line = logLines.find((candidate) => pattern.test(candidate.message));
		if (line) return { message: line.message, at: line.at };
		if (Date.now() > until) throw new Error(`no log line matching ${pattern}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
