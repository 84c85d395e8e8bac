import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { BatchOutcome, DestinationAdapter, DestinationRequest, JobStatus } from '../../../nodes/shared/adapter';
import { ContactRejection } from '../../../nodes/shared/adapter';
import type { ExportSummary } from '../../../nodes/shared/engine/accounting';
import * as packedBatch from '../../../nodes/shared/engine/packedBatch';
import { csvCell } from '../../../nodes/shared/engine/rejectedFile';
import { UPSERT_ALL } from '../../../nodes/shared/engine/sync';
import type { ExportSettings } from '../../../nodes/shared/engine/run';
import { runExport } from '../../../nodes/shared/engine/run';
import { csvRecords, parseCsv } from '../../harness/csv';

/** The engine against a fake service: every request answers 200 at once; the adapter scripts the outcomes. */
function fakeContext(items: INodeExecutionData[], options: { continueOnFail?: boolean } = {}) {
	const logged: string[] = [];
	const files: Array<{ content: Buffer; fileName?: string; mimeType?: string }> = [];
	const context = {
		getNode: () => ({ id: 'n', name: 'Fake Export (Nightly)', type: 'fake', typeVersion: 1, position: [0, 0], parameters: {} }),
		getInputData: () => items,
		continueOnFail: () => options.continueOnFail === true,
		getExecutionCancelSignal: () => undefined,
		logger: { info: (message: string) => logged.push(message), debug: () => {}, warn: () => {}, error: () => {} },
		helpers: {
			httpRequestWithAuthentication: async () => ({ statusCode: 200, headers: {}, body: '{}' }),
			prepareBinaryData: async (content: Buffer, fileName?: string, mimeType?: string) => {
				files.push({ content, fileName, mimeType });
				return { data: 'stored', fileName, mimeType };
			},
		},
	};
	return { context: context as unknown as IExecuteFunctions, logged, files };
}

let accounts = 0;

/** An asynchronous service taking batches of two as jobs job-0, job-1 …, polled after submission. */
function jobAdapter(overrides: Partial<DestinationAdapter>): DestinationAdapter {
	let jobs = 0;
	return fakeAdapter({
		limits: { maxContactsPerRequest: 2, maxBytesPerRequest: 10_000, maxConcurrentRequests: 1, fieldLimits: {} },
		pollIntervalMs: 10,
		pollDuringSubmission: false,
		interpretBatchResponse: (): BatchOutcome => ({ kind: 'job', jobId: `job-${jobs++}` }),
		...overrides,
	});
}

function fakeAdapter(overrides: Partial<DestinationAdapter>): DestinationAdapter {
	return {
		destination: 'fake',
		serviceName: 'Fake',
		credentialType: 'fakeApi',
		limits: { maxContactsPerRequest: 3, maxBytesPerRequest: 10_000, maxConcurrentRequests: 1, fieldLimits: {} },
		target: 'list',
		// A base URL of its own per test: each test paces a fresh account.
		baseUrl: `https://fake-${accounts++}.example.com`,
		emailField: 'email',
		prepare: async () => {},
		serialize: (record: IDataObject, email: string) => ({ email, name: record.name }),
		buildBatchRequest: (contactsJson: string): DestinationRequest => ({ method: 'POST', path: '/import', body: `[${contactsJson}]` }),
		interpretBatchResponse: (): BatchOutcome => ({ kind: 'done', created: null, updated: null, failures: [] }),
		...overrides,
	} as DestinationAdapter;
}

const settings: ExportSettings = { maxContacts: 1000, batchSize: 1000, longValues: 'reject' as const, rateLimitFactor: 1000, sync: UPSERT_ALL };
const items = (count: number) => Array.from({ length: count }, (_, index) => ({ json: { email: `p${index}@example.com`, name: `P${index}` } }));

async function summaryOf(adapter: DestinationAdapter, input: INodeExecutionData[], continueOnFail = true) {
	const { context, logged } = fakeContext(input, { continueOnFail });
	const [[summary], rejected] = await runExport(context, adapter, settings, 'secret');
	const json = summary.json as ExportSummary;
	expect(json.received).toBe(json.exported + json.rejected + json.skipped + json.notSent);
	return { summary: json, rejected: rejected.map((item) => item.json), logged };
}

describe('export engine with a fake adapter', () => {
	test('refusals, re-sends and rejections by the adapter are each counted once', async () => {
		let first = true;
		const adapter = fakeAdapter({
			serialize: (record: IDataObject, email: string) => {
				if (record.name === 'P4') throw new ContactRejection('field_too_long', 'too long');
				return { email };
			},
			interpretBatchResponse: (_response, emails): BatchOutcome => {
				if (first) {
					first = false;
					return { kind: 'resend_without', failures: [{ position: 1, reason: 'rejected_by_destination', message: 'no' }] };
				}
				return { kind: 'done', created: emails.length, updated: 0, failures: emails.length > 2 ? [{ position: 0, reason: 'unsubscribed', message: 'left' }] : [] };
			},
		});
		const input = [...items(7), { json: { email: 'P0@example.com' } }, { json: { email: 'not an address' } }];
		const { summary, rejected } = await summaryOf(adapter, input);
		expect(summary).toMatchObject({ status: 'success', received: 9, exported: 4, rejected: 4, skipped: 1, notSent: 0, unconfirmed: 0 });
		expect(rejected.map((entry) => entry.reason).sort()).toEqual(['duplicate', 'field_too_long', 'invalid_email', 'rejected_by_destination', 'unsubscribed']);
	});

	test('a job whose poll throws a TypeError still ends with the accounting: sent contacts unconfirmed, the rest not sent', async () => {
		const adapter = jobAdapter({
			pollJobs: async () => {
				const broken = null as unknown as { status: string };
				return new Map([['job-0', { state: 'done', created: null, updated: null, failures: [], x: broken.status } as unknown as JobStatus]]);
			},
		});
		const { summary, rejected } = await summaryOf(adapter, items(5));
		expect(summary).toMatchObject({ status: 'partial', exported: 0, notSent: 5, unconfirmed: 5, batches: 3 });
		expect(summary.error).toMatch(/^Fake's answer could not be read \(Cannot read properties of null/);
		expect(rejected.every((entry) => entry.reason === 'unconfirmed')).toBe(true);
	});

	test('after a stop, contacts never batched are read to the end and reported as not sent', async () => {
		let calls = 0;
		const adapter = fakeAdapter({
			limits: { maxContactsPerRequest: 2, maxBytesPerRequest: 10_000, maxConcurrentRequests: 1, fieldLimits: {} },
			interpretBatchResponse: (response): BatchOutcome | undefined => {
				if (calls++ === 1) return undefined;
				return response.statusCode === 200 ? { kind: 'done', created: 2, updated: 0, failures: [] } : undefined;
			},
		});
		const { summary } = await summaryOf(adapter, [...items(6), { json: { email: 'P0@example.com' } }]);
		// The second answer is left to the generic rules: a 200 nobody can read is unconfirmed and stops the run.
		expect(summary).toMatchObject({ status: 'partial', received: 7, exported: 2, skipped: 1, notSent: 4, unconfirmed: 2, batches: 3 });
	});

	test('without Continue On Fail the error carries the counts', async () => {
		const adapter = fakeAdapter({ interpretBatchResponse: () => undefined });
		const { context } = fakeContext(items(3));
		await expect(runExport(context, adapter, settings, 'secret')).rejects.toMatchObject({
			message: expect.stringMatching(/^Fake export stopped: /),
			description: expect.stringMatching(/^Received 3: exported 0, rejected 0, skipped 0, not sent 3/),
		});
	});

	test('beyond Max Rejected Items the contacts not exported go to a CSV file on the Summary, with their batch and job; the counts add up', async () => {
		const adapter = jobAdapter({
			// Every job refuses its first contact, with a message a spreadsheet must not take for a formula.
			pollJobs: async (_send, pending) =>
				new Map(pending.map(({ jobId }) => [jobId, { state: 'done', created: 1, updated: 0, failures: [{ position: 0, reason: 'rejected_by_destination', message: '=refused, "bounced"\nhard' }] } as JobStatus])),
		});
		const input = [
			{ json: { email: 'first@' } },
			{ json: { email: '=HYPERLINK("http://x.example","click"),1' } },
			...items(6),
			{ json: { email: 'p1@example.com' } },
			{ json: { name: 'no address' } },
		];
		const { context, files } = fakeContext(input, { continueOnFail: true });
		const [[summaryItem], rejected] = await runExport(context, adapter, { ...settings, maxRejectedItems: 2 }, 'secret');
		const summary = summaryItem.json as ExportSummary;
		expect(summary).toMatchObject({ received: 10, exported: 3, rejected: 6, skipped: 1, notSent: 0, rejectedInFile: 5 });
		expect(summary.rejectedFile).toEqual({ property: 'rejected', fileName: 'fake-export-nightly-rejected.csv', rows: 5 });
		expect(rejected.length + summary.rejectedInFile).toBe(summary.rejected + summary.skipped + summary.notSent);
		expect(rejected.map((item) => item.json)).toEqual([
			{ email: 'first@', reason: 'invalid_email', message: expect.stringMatching(/^Input item 0: /) },
			{ email: '=HYPERLINK("http://x.example","click"),1', reason: 'invalid_email', message: expect.stringMatching(/^Input item 1: /) },
		]);
		expect(files).toHaveLength(1);
		expect(files[0]).toMatchObject({ fileName: 'fake-export-nightly-rejected.csv', mimeType: 'text/csv' });
		expect(summaryItem.binary?.rejected).toMatchObject({ fileName: 'fake-export-nightly-rejected.csv' });
		const text = files[0].content.toString('utf8');
		expect(text.startsWith('email,reason,message,input_item,batch,job\r\n')).toBe(true);
		const rows = csvRecords(text);
		expect(rows.filter((row) => row.reason === 'rejected_by_destination')).toEqual(
			[0, 1, 2].map((job) => ({ email: `p${job * 2}@example.com`, reason: 'rejected_by_destination', message: '=refused, "bounced"\nhard', input_item: String(2 + job * 2), batch: String(job + 1), job: `job-${job}` })),
		);
		expect(rows.filter((row) => row.reason !== 'rejected_by_destination')).toEqual([
			{ email: 'p1@example.com', reason: 'duplicate', message: expect.stringMatching(/^Input item 8: /), input_item: '8', batch: '', job: '' },
			{ email: '', reason: 'missing_email', message: expect.stringMatching(/^Input item 9: /), input_item: '9', batch: '', job: '' },
		]);
		// In the file itself, cells a spreadsheet would run as formulas start with an apostrophe.
		expect(parseCsv(text).flat().filter((cell) => cell.startsWith('='))).toEqual([]);
		expect(summary.message).toMatch(/; 5 of the contacts not exported are in file fake-export-nightly-rejected\.csv on this item \(binary "rejected"\), the first 2 on the Rejected output$/);
	});

	test('0 lists every contact not exported in the file; without a limit they are all items and there is no file', async () => {
		const input = [{ json: { email: 'bad@' } }, ...items(2), { json: { email: 'p0@example.com' } }];
		const all = fakeContext(input);
		const [[inFile], noItems] = await runExport(all.context, fakeAdapter({}), { ...settings, maxRejectedItems: 0 }, 'secret');
		expect(noItems).toEqual([]);
		expect(inFile.json).toMatchObject({ rejected: 1, skipped: 1, rejectedInFile: 2 });
		expect(csvRecords(all.files[0].content.toString('utf8')).map((row) => row.reason)).toEqual(['invalid_email', 'duplicate']);
		const unlimited = fakeContext(input);
		const [[summary], rejected] = await runExport(unlimited.context, fakeAdapter({}), settings, 'secret');
		expect(rejected).toHaveLength(2);
		expect(summary.json).toMatchObject({ rejectedInFile: 0 });
		expect(summary.json.rejectedFile).toBeUndefined();
		expect(summary.binary).toBeUndefined();
		expect(unlimited.files).toEqual([]);
	});

	test('CSV cells: quoted when they hold a comma, a quote or a line break; guarded when a spreadsheet would run them', () => {
		expect(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'Zoë 日本', '', null, 7].map(csvCell)).toEqual([
			'plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\rhere"', 'Zoë 日本', '', '', '7',
		]);
		expect(['=1+1', '+49 30', '-2', '@SUM(A1)', '\tx', '\rx', "'kept"].map(csvCell)).toEqual(["'=1+1", "'+49 30", "'-2", "'@SUM(A1)", "'\tx", `"'\rx"`, "'kept"]);
	});

	describe('a job that stops part-way (its service hands back the contacts it never processed)', () => {
		/** Job job-0 processes only the first of its two contacts, once; every other job all of them. Records each request body. */
		function stoppingAdapter(bodies: string[]): DestinationAdapter {
			return jobAdapter({
				jobsMayStopPartWay: true,
				buildBatchRequest: (contactsJson: string): DestinationRequest => {
					// The engine measures the envelope with an empty request first: only batches are recorded.
					if (contactsJson) bodies.push(contactsJson);
					return { method: 'POST', path: '/import', body: `[${contactsJson}]` };
				},
				pollJobs: async (_send, pending) =>
					new Map(
						pending.map(({ jobId }): [string, JobStatus] =>
							jobId === 'job-0'
								? [jobId, { state: 'done', created: 1, updated: 0, failures: [], unprocessed: { positions: [1], message: 'Fake stopped job-0' } }]
								: [jobId, { state: 'done', created: null, updated: null, failures: [] }],
						),
					),
			});
		}

		test('sends the unprocessed contact again, as it was first sent', async () => {
			const bodies: string[] = [];
			const { summary } = await summaryOf(stoppingAdapter(bodies), items(2));
			expect(summary).toMatchObject({ received: 2, exported: 2, notSent: 0 });
			expect(bodies).toEqual([`${JSON.stringify({ email: 'p0@example.com', name: 'P0' })},${JSON.stringify({ email: 'p1@example.com', name: 'P1' })}`, JSON.stringify({ email: 'p1@example.com', name: 'P1' })]);
		});

		test('when its packed wire forms cannot be read back, the contact ends as not sent and the counts still add up', async () => {
			const unpack = jest.spyOn(packedBatch, 'unpackWireForms').mockRejectedValue(new Error('corrupt'));
			try {
				const bodies: string[] = [];
				const { summary, rejected } = await summaryOf(stoppingAdapter(bodies), items(2));
				expect(summary).toMatchObject({ received: 2, exported: 1, notSent: 1 });
				expect(bodies).toHaveLength(1);
				expect(rejected).toEqual([expect.objectContaining({ email: 'p1@example.com', reason: 'not_sent', message: expect.stringMatching(/^Not exported: Fake stopped job-0 before processing this contact/) })]);
			} finally {
				unpack.mockRestore();
			}
		});
	});
});
