import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { BatchOutcome, DestinationAdapter, DestinationRequest, JobStatus } from '../../../nodes/shared/adapter';
import { ContactRejection } from '../../../nodes/shared/adapter';
import type { ExportSummary } from '../../../nodes/shared/engine/accounting';
import { runExport } from '../../../nodes/shared/engine/run';

/** The engine against a fake service: every request answers 200 at once; the adapter scripts the outcomes. */
function fakeContext(items: INodeExecutionData[], options: { continueOnFail?: boolean } = {}) {
	const logged: string[] = [];
	const context = {
		getNode: () => ({ id: 'n', name: 'Export', type: 'fake', typeVersion: 1, position: [0, 0], parameters: {} }),
		getInputData: () => items,
		continueOnFail: () => options.continueOnFail === true,
		getExecutionCancelSignal: () => undefined,
		logger: { info: (message: string) => logged.push(message), debug: () => {}, warn: () => {}, error: () => {} },
		helpers: { httpRequestWithAuthentication: async () => ({ statusCode: 200, headers: {}, body: '{}' }) },
	};
	return { context: context as unknown as IExecuteFunctions, logged };
}

let accounts = 0;

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

const settings = { maxContacts: 1000, batchSize: 1000, longValues: 'reject' as const, rateLimitFactor: 1000 };
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
		let jobs = 0;
		const adapter = fakeAdapter({
			limits: { maxContactsPerRequest: 2, maxBytesPerRequest: 10_000, maxConcurrentRequests: 1, fieldLimits: {} },
			pollIntervalMs: 10,
			pollDuringSubmission: false,
			interpretBatchResponse: (): BatchOutcome => ({ kind: 'job', jobId: `job-${jobs++}` }),
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
});
