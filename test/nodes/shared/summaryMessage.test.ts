import type { ExportSummary } from '../../../nodes/shared/engine/accounting';
import { Ledger, sourceAccountingOf, summaryMessage } from '../../../nodes/shared/engine/accounting';

function summary(fields: Partial<ExportSummary>): ExportSummary {
	return {
		message: '',
		destination: 'campaignMonitor',
		destinationName: 'Campaign Monitor',
		target: 'cm-list-newsletter',
		targetName: 'Newsletter',
		status: 'success',
		received: 0,
		exported: 0,
		created: 0,
		updated: 0,
		rejected: 0,
		skipped: 0,
		notSent: 0,
		unconfirmed: 0,
		batches: 0,
		requests: 0,
		retries: 0,
		durationMs: 0,
		jobIds: [],
		truncatedValues: 0,
		fieldsOmitted: {},
		requestsByPurpose: { discovery: 0, import: 0, 'import-single': 0, poll: 0, read: 0, remove: 0, isolate: 0 },
		rejectedByReason: {},
		rejectedInFile: 0,
		unchanged: 0,
		removed: 0,
		...fields,
	};
}

const where = 'Campaign Monitor list Newsletter';

describe('the Summary message', () => {
	test('says what was exported where, and why the rest was not, most frequent reason first', () => {
		expect(summaryMessage(summary({ received: 266, exported: 260, rejected: 6, rejectedByReason: { field_too_long: 2, rejected_by_destination: 4 } }), where, 'Campaign Monitor')).toBe(
			'Exported 260 of 266 to Campaign Monitor list Newsletter; 6 rejected: 4 refused by Campaign Monitor, 2 with a value too long for Campaign Monitor (Options → Long Values → Truncate keeps them)',
		);
	});

	test('singular and plural, skipped, not sent and unconfirmed, truncated values, a stop', () => {
		expect(
			summaryMessage(
				summary({ received: 10, exported: 5, rejected: 1, rejectedByReason: { invalid_email: 1 }, skipped: 1, notSent: 3, unconfirmed: 2, truncatedValues: 1, error: 'quota spent' }),
				where,
				'Campaign Monitor',
			),
		).toBe(
			'Exported 5 of 10 to Campaign Monitor list Newsletter; 1 rejected: 1 invalid address; 1 duplicate skipped; 3 not sent (2 unconfirmed: they may have arrived; re-running is safe); 1 value truncated; stopped: quota spent',
		);
	});

	test('nothing to export, with Segment Source\'s accounting', () => {
		const segmentSource = { rows: 3, members: 0, merged: 1, invalid: 2, notInAnySegment: 0, perSegment: {}, invalidByReason: { invalid_email: 2 }, invalidRows: [] };
		expect(summaryMessage(summary({ segmentSource }), where, 'Campaign Monitor')).toBe(
			'Nothing to export to Campaign Monitor list Newsletter: no members came in; Segment Source: 3 rows → 0 members (1 merged duplicate, 2 invalid)',
		);
	});

	test('accounting items are found among the input and summed; other items are ignored', () => {
		const item = (rows: number, invalid: number) => ({
			json: { segmentSourceBatch: true, segmentSourceAccounting: true, count: 0, members: [], accounting: { rows, members: rows - invalid, merged: 0, invalid, notInAnySegment: 0, perSegment: { VIP: 1 }, invalidByReason: { invalid_email: invalid }, invalidRows: [] } },
		});
		expect(sourceAccountingOf([{ json: { email: 'a@example.com' } }])).toBeUndefined();
		expect(sourceAccountingOf([item(5, 1), { json: { email: 'a@example.com' } }, item(3, 2)])).toMatchObject({ rows: 8, members: 5, invalid: 3, perSegment: { VIP: 2 }, invalidByReason: { invalid_email: 3 } });
	});

	test('rejected by reason leaves out skipped duplicates and contacts not sent, whether listed as items or in the file', () => {
		const ledger = new Ledger(2);
		for (const reason of ['invalid_email', 'duplicate', 'not_sent', 'unconfirmed', 'invalid_email', 'unsubscribed'] as const) ledger.drop(null, reason, '', 0);
		expect(ledger.rejectedByReason).toEqual({ invalid_email: 2, unsubscribed: 1 });
		expect([ledger.rejectedItems.length, ledger.rejectedFile?.rows]).toEqual([2, 4]);
	});

	test('contacts in the Rejected file are pointed to, with how many the Rejected output lists', () => {
		const fields = { received: 5010, exported: 10, rejected: 4990, rejectedByReason: { invalid_email: 4990 }, skipped: 10, rejectedInFile: 4000, rejectedFile: { property: 'rejected', fileName: 'export-rejected.csv', rows: 4000 } };
		expect(summaryMessage(summary(fields), where, 'Campaign Monitor')).toBe(
			'Exported 10 of 5,010 to Campaign Monitor list Newsletter; 4,990 rejected: 4,990 invalid addresses; 10 duplicates skipped; ' +
				'4,000 of the contacts not exported are in file export-rejected.csv on this item (binary "rejected"), the first 1,000 on the Rejected output',
		);
		expect(summaryMessage(summary({ ...fields, rejectedInFile: 5000, rejectedFile: { ...fields.rejectedFile, rows: 5000 } }), where, 'Campaign Monitor')).toMatch(
			/; 5,000 of the contacts not exported are in file export-rejected\.csv on this item \(binary "rejected"\)$/,
		);
	});
});
