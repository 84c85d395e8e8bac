import { readFileSync } from 'fs';
import { join } from 'path';

import { PACKAGE_ROOT } from '../test/harness/package';
import { echoLogs, runWorkflow } from '../test/harness/run';
import { startSandbox } from '../test/sandbox/server';

/**
 * The main job, end to end: the example workflow (Segment Source on the bundled sample → Campaign
 * Monitor Export) runs in-process through n8n-core against a local sandbox of Campaign Monitor at its
 * published limits, then the Summary, the Rejected contacts and the list's new content are printed.
 */
async function main(): Promise<void> {
	const workflowFile = join(PACKAGE_ROOT, 'examples', 'demo-campaign-monitor.json');
	const step = (text: string) => console.log(`\n▶ ${text}`);

	step('Starting the destination sandbox on 127.0.0.1');
	const sandbox = await startSandbox({ scale: 1 });
	console.log(`  Campaign Monitor sandbox: ${sandbox.endpoints.campaignMonitor.baseUrl}`);

	step(`Running ${workflowFile.slice(PACKAGE_ROOT.length + 1)} in-process (n8n-core WorkflowExecute)`);
	echoLogs((line) => {
		if (line.level !== 'debug') console.log(`  [n8n ${line.level}] ${line.message}`);
	});
	const workflow = JSON.parse(readFileSync(workflowFile, 'utf8'));
	const result = await runWorkflow(workflow, { credentials: { campaignMonitorExportApi: sandbox.endpoints.campaignMonitor } });
	echoLogs(undefined);

	const sourceRun = result.run.data.resultData.runData['Segment Source']?.[0];
	step('Segment Source');
	for (const hint of sourceRun?.hints ?? []) console.log(`  ${hint.message}`);
	const invalid = result.output('Segment Source', 1);
	console.log(`  Invalid rows: ${invalid.map((item) => `row ${item.json.row} (${item.json.reason})`).join(', ')}`);

	const exportError = result.nodeError('Campaign Monitor Export');
	if (exportError) {
		console.error(`\nThe export failed: ${exportError.message}\n${exportError.description ?? ''}`);
		await sandbox.stop();
		process.exit(1);
	}
	step('Campaign Monitor Export — Summary');
	const summary = result.output('Campaign Monitor Export', 0)[0].json;
	console.log(JSON.stringify(summary, null, 2).replace(/^/gm, '  '));

	step('Campaign Monitor Export — Rejected');
	const rejected = result.output('Campaign Monitor Export', 1);
	for (const item of rejected) console.log(`  ${String(item.json.reason).padEnd(24)} ${item.json.email}  ${item.json.message}`);

	const listId = 'cm-list-newsletter';
	const subscribers = sandbox.campaignMonitor.subscribers(listId);
	step(`What the sandbox list "${listId}" now holds: ${subscribers.length} subscribers (first 8)`);
	const rows = subscribers.slice(0, 8).map((s) => [s.EmailAddress, s.Name, String(s.CustomFields['[City]'] ?? ''), String(s.CustomFields['[Country]'] ?? ''), s.State]);
	const header = ['EmailAddress', 'Name', '[City]', '[Country]', 'State'];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	for (const row of [header, ...rows]) console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ')}`);

	await sandbox.stop();
	const accountingHolds = summary.received === Number(summary.exported) + Number(summary.rejected) + Number(summary.skipped) + Number(summary.notSent);
	console.log(`\n✔ Exported ${summary.exported}, rejected ${summary.rejected}, skipped ${summary.skipped}, not sent ${summary.notSent} of ${summary.received} received (accounting ${accountingHolds ? 'adds up' : 'DOES NOT add up'}).`);
	process.exit(accountingHolds && Number(summary.exported) > 0 ? 0 : 1);
}

main().catch((error: Error) => {
	console.error(error);
	process.exit(1);
});
