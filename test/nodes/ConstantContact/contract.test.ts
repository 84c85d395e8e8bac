import type { IDataObject } from 'n8n-workflow';

import { makeProfiles, useSandbox } from '../../harness/fixtures';
import { logLines, runWorkflow } from '../../harness/run';
import { ccCredentials, chain } from '../../harness/workflows';

const NEWSLETTER = '6f1c2a10-0000-4000-8000-000000000001';
const EVENTS = '6f1c2a10-0000-4000-8000-000000000003';

/** The adapter and credential against Constant Contact's documented contract (docs/destinations/constantcontact.md). */
describe('Constant Contact Export: the vendor contract', () => {
	const sandbox = useSandbox();

	async function run(items: IDataObject[], parameters: IDataObject = {}, credentialOverrides: IDataObject = {}) {
		const result = await runWorkflow(
			chain({ name: 'Export', type: 'constantContactExport', credentials: ccCredentials, parameters: { privacyAcknowledged: true, lists: [NEWSLETTER], ...parameters } }),
			{ credentials: { constantContactExportOAuth2Api: { ...sandbox().constantContactCredentials(), ...credentialOverrides } }, startItems: items.map((json) => ({ json })) },
		);
		return { result, summary: result.output('Export', 0)[0].json, rejected: result.output('Export', 1).map((item) => item.json) };
	}

	test('an e-mail address over 50 characters (the JSON import\'s maxLength) is rejected before sending', async () => {
		const long = `${'a'.repeat(39)}@example.com`;
		expect(long).toHaveLength(51);
		const fifty = `${'b'.repeat(38)}@example.com`;
		const { summary, rejected } = await run([{ email: long }, { email: fifty }]);
		expect(summary).toMatchObject({ exported: 1, rejected: 1, notSent: 0 });
		expect(rejected[0]).toMatchObject({ email: long, reason: 'field_too_long', message: expect.stringContaining('at most 50') });
		expect(sandbox().constantContact.contacts().map((contact) => contact.email)).toEqual([fifty]);
		// One import of one contact: the long address never left.
		expect(sandbox().requestsTo('constantContact', 'contacts_json_import').map((entry) => entry.contacts)).toEqual([1]);
	});

	test('custom fields and lists on later pages are found by following _links.next', async () => {
		sandbox().constantContact.forms.maxPageSize = 1;
		// "segments" is the account's second custom field, EVENTS its third list: both on later pages.
		const { summary } = await run([{ email: 'paged@example.com', segments: 'VIP' }], { lists: [EVENTS] });
		expect(summary).toMatchObject({ exported: 1 });
		const contact = sandbox().constantContact.contacts()[0];
		expect(contact.customFields).toEqual({ segments: 'VIP' });
		expect(contact.lists.has(EVENTS)).toBe(true);
		expect(sandbox().requestsTo('constantContact', '/contact_custom_fields')).toHaveLength(2);
		expect(sandbox().requestsTo('constantContact', '/contact_lists')).toHaveLength(3);
	});

	test('100 custom fields (the account maximum) over two pages of the documented 100 limit… and 1: all are read', async () => {
		sandbox().constantContact.addCustomFields(98);
		sandbox().constantContact.forms.maxPageSize = 50;
		const { summary } = await run([{ email: 'last@example.com', extra100: 'x' }]);
		expect(summary).toMatchObject({ exported: 1 });
		expect(sandbox().constantContact.contacts()[0].customFields).toEqual({ extra_100: 'x' });
	});

	test.each([
		['strings', true],
		['objects', true],
	] as const)('correctable_count (invalid e-mail format) is accounted, errors as %s', async (errorEntries, correctableListed) => {
		Object.assign(sandbox().constantContact.forms, { errorEntries, correctableListed });
		const { summary, rejected } = await run([{ email: 'fine@example.com' }, { email: 'refused@mail.invalid' }]);
		expect(summary).toMatchObject({ exported: 1, rejected: 1, notSent: 0 });
		expect(rejected[0]).toMatchObject({ email: 'refused@mail.invalid', reason: 'rejected_by_destination', message: expect.stringMatching(/^Constant Contact: Line 2: /) });
	});

	test('correctable errors the activity counts but does not list are said in the log (counts only)', async () => {
		sandbox().constantContact.forms.correctableListed = false;
		logLines.length = 0;
		await run([{ email: 'fine@example.com' }, { email: 'refused@mail.invalid' }]);
		const warning = logLines.find((line) => line.level === 'warn' && /2 contacts refused|1 contacts refused/.test(line.message));
		expect(warning?.message).toMatch(/1 contacts refused, 0 of them named/);
		expect(warning?.message).not.toContain('@');
	});

	test('unsubscribed contacts are found with one contact export, whatever the number of unsubscribed contacts in the account', async () => {
		for (let index = 0; index < 20_000; index++) sandbox().constantContact.seed(`gone.${index}@example.com`, 'unsubscribed');
		const set = makeProfiles(3000, 0, 0);
		const left = set.validUnique.slice(0, 25);
		for (const email of left) sandbox().constantContact.seed(email, 'unsubscribed');
		const { summary, rejected } = await run(set.profiles, { options: { batchSize: 1000 } });
		expect(summary).toMatchObject({ exported: 2975, rejected: 25, notSent: 0 });
		expect(new Set(rejected.map((item) => item.email))).toEqual(new Set(left));
		expect(rejected.every((item) => item.reason === 'unsubscribed')).toBe(true);
		// POST the export, look at its activity until it completes, GET the file: a few requests, once per run.
		const cost = sandbox().constantContact.exportRequests;
		if (process.env.REPORT_CC_COST) console.log(`unsubscribed look-up: ${cost} requests`);
		expect(cost).toBeGreaterThanOrEqual(3);
		expect(cost).toBeLessThanOrEqual(10);
		// Paging GET /contacts?status=unsubscribed would have cost ⌈20,025 / 500⌉ = 41 requests here.
		expect(sandbox().requestsTo('constantContact', '/v3/contacts')).toHaveLength(0);
	});

	test.each(['authorizationCode', 'pkce'])('a credential saved with the %s grant keeps refreshing its tokens', async (grantType) => {
		sandbox().injectFault({ service: 'constantContact', kind: 'expire-token', pathIncludes: 'contacts_json_import', times: 1 });
		const { summary, result } = await run(makeProfiles(10, 0, 0).profiles, {}, { grantType });
		expect(summary).toMatchObject({ status: 'success', exported: 10 });
		expect(sandbox().constantContact.refreshes).toBe(1);
		expect(result.credentials.tokenUpdates).toHaveLength(1);
	});

	test('Long Values on the import\'s documented lengths: reject, or truncate and count', async () => {
		const items = [{ email: 'long.name@example.com', firstName: 'F'.repeat(60) }];
		const rejecting = await run(items);
		expect(rejecting.rejected[0]).toMatchObject({ reason: 'field_too_long', message: expect.stringContaining('keeps at most 50') });
		const truncating = await run(items, { options: { longValues: 'truncate' } });
		expect(truncating.summary).toMatchObject({ exported: 1, truncatedValues: 1 });
		expect(sandbox().constantContact.contacts()[0].fields.first_name).toBe('F'.repeat(50));
	});
});
