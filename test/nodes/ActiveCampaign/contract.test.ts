import type { IDataObject } from 'n8n-workflow';

import { makeProfiles, TEST_SCALE, useSandbox } from '../../harness/fixtures';
import { sentRequests, windowOverruns } from '../../harness/pacing';
import { logLines, runWorkflow } from '../../harness/run';
import { acCredentials, chain, type NodeSpec } from '../../harness/workflows';
import type { AcForms } from '../../sandbox/activeCampaign';

/**
 * The adapter against every answer form ActiveCampaign documents or shows (docs/destinations/
 * activecampaign.md): the sandbox produces each form by a switch.
 */
describe('ActiveCampaign Export: the vendor contract', () => {
	const sandbox = useSandbox();

	function exportNode(options: IDataObject = {}): NodeSpec {
		return { name: 'Export', type: 'activeCampaignExport', credentials: acCredentials, parameters: { privacyAcknowledged: true, lists: ['1'], options } };
	}

	async function run(items: IDataObject[], options: IDataObject = {}) {
		const result = await runWorkflow(chain(exportNode(options)), {
			credentials: { activeCampaignExportApi: sandbox().endpoints.activeCampaign },
			startItems: items.map((json) => ({ json })),
		});
		return { result, summary: result.output('Export', 0)[0].json, rejected: result.output('Export', 1).map((item) => item.json) };
	}

	function useForms(forms: Partial<AcForms>): void {
		Object.assign(sandbox().activeCampaign.forms, forms);
	}

	const emails = (count: number) => Array.from({ length: count }, (_, index) => ({ email: `person.${index}@example.com` }));

	test.each([
		['Success', 'one'],
		['Success', 'contacts'],
		['success', 'one'],
		['success', 'contacts'],
	] as const)('a 200 with "%s" and a count of %s contacts is queued and followed', async (successKey, successCount) => {
		useForms({ successKey, successCount });
		const { summary } = await run(emails(5));
		expect(summary).toMatchObject({ status: 'success', exported: 5, notSent: 0, unconfirmed: 0 });
		expect(sandbox().activeCampaign.listMembers(1)).toHaveLength(5);
	});

	test.each([
		[[false, 'waiting', 'claimed', 'active'], 'emails'],
		[['waiting'], 'objects'],
		[['claimed', 'active'], 'emails'],
	] as const)('import/info statuses %j are followed to completed; failure entries as %s are mapped by e-mail', async (pending, failureEntries) => {
		useForms({ pending: [...pending], failureEntries });
		const { summary, rejected } = await run([...emails(3), { email: 'excluded@mail.invalid' }]);
		expect(summary).toMatchObject({ exported: 3, rejected: 1, notSent: 0 });
		expect(rejected).toEqual([expect.objectContaining({ email: 'excluded@mail.invalid', reason: 'rejected_by_destination' })]);
	});

	test.each(['failed', 'interrupted'] as const)('a batch that ends %s ends at once: its contacts are unconfirmed', async (final) => {
		useForms({ final });
		const result = await runWorkflow(chain(exportNode()), {
			credentials: { activeCampaignExportApi: sandbox().endpoints.activeCampaign },
			startItems: emails(4).map((json) => ({ json })),
		});
		const error = result.nodeError('Export')!;
		expect(error.message).toContain(`reports the import as ${final}`);
		expect(error.description).toContain('unconfirmed 4');
		// Ended at the first poll that saw it, not at the job timeout.
		expect(sandbox().requestsTo('activeCampaign', '/import/info').length).toBeLessThan(10);
	});

	test.each([0, 1] as const)('a refusal by contact index counted from %i: the contact at fault is found, no innocent contact is dropped', async (indexBase) => {
		useForms({ indexBase });
		sandbox().activeCampaign.refuseEmails.add('person.5@example.com');
		const { summary, rejected } = await run(emails(10));
		expect(summary).toMatchObject({ exported: 9, rejected: 1, notSent: 0 });
		expect(rejected).toEqual([{ email: 'person.5@example.com', reason: 'rejected_by_destination', message: "ActiveCampaign: Field 'email' incorrect format" }]);
		expect(sandbox().activeCampaign.listMembers(1).map((contact) => contact.email).sort()).toEqual(emails(10).map((item) => item.email).filter((email) => email !== 'person.5@example.com').sort());
		// One refused import, then: the unsuspected rest, and both readings of the index alone.
		const byPurpose = summary.requestsByPurpose as Record<string, number>;
		expect(byPurpose.import).toBe(1);
		expect(byPurpose.isolate).toBe(3);
	});

	test('a refusal naming the contact by e-mail drops exactly that contact and re-sends the rest', async () => {
		sandbox().injectFault({
			service: 'activeCampaign',
			kind: 'status',
			pathIncludes: 'bulk_import',
			times: 1,
			status: 400,
			body: { success: 0, message: 'JSON payload did not pass validation.', failureReasons: [{ contact: 0, email: 'person.2@example.com', failureReason: 'Bad address' }] },
		});
		const { summary, rejected } = await run(emails(4));
		expect(summary).toMatchObject({ exported: 3, rejected: 1 });
		expect(rejected[0]).toMatchObject({ email: 'person.2@example.com', message: 'ActiveCampaign: Bad address' });
		expect((summary.requestsByPurpose as Record<string, number>).isolate).toBe(0);
	});

	test('a refusal without any usable index is bisected within the budget: the rest ends as not sent, never as rejected', async () => {
		sandbox().injectFault({
			service: 'activeCampaign',
			kind: 'status',
			pathIncludes: 'bulk_import',
			times: 100,
			status: 400,
			body: { success: 0, message: 'JSON payload did not pass validation.', failureReasons: [{ failureReason: 'Something is wrong' }] },
		});
		const { result, summary, rejected } = await runWorkflow(chain(exportNode()), {
			credentials: { activeCampaignExportApi: sandbox().endpoints.activeCampaign },
			startItems: emails(16).map((json) => ({ json })),
		}).then((ran) => ({ result: ran, summary: ran.output('Export', 0)[0].json, rejected: ran.output('Export', 1).map((item) => item.json) }));
		expect(result.nodeError('Export')).toBeUndefined();
		const byPurpose = summary.requestsByPurpose as Record<string, number>;
		expect(byPurpose.import).toBe(1);
		expect(byPurpose.isolate + byPurpose['import-single']).toBe(8);
		// 8 → 4 → 2 → 1 + 1, 2 → 1 + 1: only the four contacts refused alone are rejected.
		expect(summary).toMatchObject({ status: 'partial', exported: 0, rejected: 4, notSent: 12 });
		expect(rejected.filter((item) => item.reason === 'not_sent')[0].message).toMatch(/could not be found within 8 extra imports/);
	});

	test('plain-string failure reasons (the documented rate-limit 400) mean wait and retry, not stop', async () => {
		sandbox().injectFault({
			service: 'activeCampaign',
			kind: 'status',
			pathIncludes: 'bulk_import',
			times: 1,
			status: 400,
			body: { success: 0, message: 'Rate limit exceeded.', failureReasons: ['Up to 100 imports may be requested per minute.Please batch contacts into larger requests, or retry this request in a minute.'] },
		});
		const { summary } = await run(emails(5));
		expect(summary).toMatchObject({ status: 'success', exported: 5, retries: 1, rejected: 0 });
	});

	test('single-contact imports are paced to their own 20 a minute and counted apart', async () => {
		logLines.length = 0;
		const { summary } = await run(emails(45), { batchSize: 1 });
		expect(summary).toMatchObject({ exported: 45, notSent: 0 });
		const byPurpose = summary.requestsByPurpose as Record<string, number>;
		expect(byPurpose['import-single']).toBe(45 + Number(summary.retries));
		expect(byPurpose.import).toBe(0);
		const singles = sentRequests(logLines).filter((request) => request.purpose === 'import-single');
		expect(windowOverruns(singles, 20, 60_000 / TEST_SCALE)).toEqual([]);
	});

	test('a final batch of one contact counts against the single-contact limit', async () => {
		const { summary } = await run(makeProfiles(251, 0, 0).profiles);
		expect(summary.requestsByPurpose).toMatchObject({ import: 1, 'import-single': 1 });
		expect(sandbox().activeCampaign.importSizes.sort((a, b) => a - b)).toEqual([1, 250]);
	});

	test('exclude_automations is sent at the top level and in every contact; the sandbox accepts both', async () => {
		await run(emails(3));
		expect(sandbox().activeCampaign.importsWithAutomations).toBe(0);
		const on = await run(emails(3), { excludeAutomations: false });
		expect(on.summary).toMatchObject({ exported: 3 });
		expect(sandbox().activeCampaign.importsWithAutomations).toBe(1);
	});

	test.each(['reject', 'truncate'])('Long Values (%s): ActiveCampaign documents no field limit, so a long value is sent whole', async (longValues) => {
		const name = 'N'.repeat(2000);
		const { summary } = await run([{ email: 'long@example.com', firstName: name }], { longValues });
		expect(summary).toMatchObject({ exported: 1, rejected: 0, truncatedValues: 0 });
		expect(sandbox().activeCampaign.contacts()[0].first_name).toBe(name);
	});
});
