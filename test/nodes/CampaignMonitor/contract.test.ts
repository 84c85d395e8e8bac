import type { IDataObject } from 'n8n-workflow';

import { makeProfiles, useSandbox } from '../../harness/fixtures';
import { runWorkflow } from '../../harness/run';
import { chain, cmCredentials } from '../../harness/workflows';
import type { CmSubscriber } from '../../sandbox/campaignMonitor';

const LIST = 'cm-list-newsletter';

/** The adapter against Campaign Monitor's documented answers (docs/destinations/campaignmonitor.md). */
describe('Campaign Monitor Export: the vendor contract', () => {
	const sandbox = useSandbox();

	async function exportItems(items: IDataObject[], parameters: IDataObject = {}) {
		const result = await runWorkflow(
			chain({ name: 'Export', type: 'campaignMonitorExport', credentials: cmCredentials, parameters: { privacyAcknowledged: true, list: { __rl: true, mode: 'id', value: LIST }, ...parameters } }),
			{ credentials: { campaignMonitorExportApi: sandbox().endpoints.campaignMonitor }, startItems: items.map((json) => ({ json })) },
		);
		return { result, summary: result.output('Export', 0)[0].json, rejected: result.output('Export', 1).map((item) => item.json) };
	}

	test.each([
		['Suppressed', 204],
		['Deleted', 205],
		['Unsubscribed', 206],
		['Bounced', 207],
		['Unconfirmed', 208],
	] as const)('a person %s on the list: version 1 keeps rejected_by_destination and names code %i', async (State, code) => {
		sandbox().campaignMonitor.seed(LIST, { EmailAddress: 'left@example.com', State: State as CmSubscriber['State'] });
		const { summary, rejected } = await exportItems([{ email: 'left@example.com' }, { email: 'fine@example.com' }]);
		expect(summary).toMatchObject({ exported: 1, rejected: 1, notSent: 0 });
		expect(rejected[0]).toMatchObject({ email: 'left@example.com', reason: 'rejected_by_destination' });
		expect(String(rejected[0].message)).toContain(`(code ${code}; the person is `);
		expect(String(rejected[0].message)).toContain('only the Resubscribe option adds them back');
	});

	test.each(['request', 'row'] as const)('a malformed or 60-character phone (220 per %s) never fails the import: the contact goes without it, counted', async (mobileError) => {
		sandbox().campaignMonitor.forms.mobileError = mobileError;
		const items = [
			{ email: 'ok@example.com', phone: '+61 400 000 000' },
			{ email: 'intl@example.com', phone: '0044 20 7946 0958' },
			{ email: 'local@example.com', phone: '0400 000 000' },
			{ email: 'long@example.com', phone: '1'.repeat(60) },
			{ email: 'none@example.com' },
		];
		const { summary } = await exportItems(items, { options: { consentToSendSms: 'Yes' } });
		expect(summary).toMatchObject({ status: 'success', exported: 5, rejected: 0, fieldsOmitted: { MobileNumber: 2 } });
		const stored = new Map(sandbox().campaignMonitor.subscribers(LIST).map((subscriber) => [subscriber.EmailAddress, subscriber]));
		expect(stored.get('ok@example.com')).toMatchObject({ MobileNumber: '+61400000000', ConsentToSendSms: 'Yes' });
		expect(stored.get('intl@example.com')!.MobileNumber).toBe('+442079460958');
		expect(stored.get('local@example.com')!.MobileNumber).toBeUndefined();
		expect(stored.get('long@example.com')!.MobileNumber).toBeUndefined();
		expect(stored.get('none@example.com')!.ConsentToSendSms).toBeUndefined();
	});

	test('an existing name is not blanked by a contact without one, nor is a stored mobile number', async () => {
		sandbox().campaignMonitor.seed(LIST, { EmailAddress: 'known@example.com', Name: 'Ada Lovelace', MobileNumber: '+441234567' });
		const { summary } = await exportItems([{ email: 'known@example.com', city: 'London' }]);
		expect(summary).toMatchObject({ exported: 1, updated: 1 });
		expect(sandbox().campaignMonitor.subscribers(LIST)[0]).toMatchObject({ Name: 'Ada Lovelace', MobileNumber: '+441234567' });
	});

	test('without rate-limit headers (documented for the transactional API only), pacing still ends every contact once', async () => {
		sandbox().campaignMonitor.forms.rateLimitHeaders = false;
		const set = makeProfiles(4000, 0, 0);
		const { summary } = await exportItems(set.profiles, { options: { batchSize: 50 } });
		expect(summary).toMatchObject({ status: 'success', exported: 4000, notSent: 0 });
		expect(sandbox().campaignMonitor.subscribers(LIST)).toHaveLength(4000);
	});

	test('Long Values: a custom field value over 250 characters is rejected, or truncated and counted', async () => {
		const items = [{ email: 'long@example.com', city: 'C'.repeat(300) }];
		const rejecting = await exportItems(items);
		expect(rejecting.rejected[0]).toMatchObject({ reason: 'field_too_long' });
		const truncating = await exportItems(items, { options: { longValues: 'truncate' } });
		expect(truncating.summary).toMatchObject({ exported: 1, truncatedValues: 1 });
		expect(sandbox().campaignMonitor.silentlyTruncated).toBe(0);
	});
});
