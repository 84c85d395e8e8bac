import { readFileSync } from 'fs';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { join } from 'path';

import { PACKAGE_ROOT } from '../test/harness/package';
import { echoLogs, runWorkflow } from '../test/harness/run';
import { startSandbox } from '../test/sandbox/server';

/**
 * The main job, end to end: the example workflow (Segment Source on the bundled sample → Campaign
 * Monitor Export) runs in-process through n8n-core against a local sandbox of Campaign Monitor at its
 * published limits. The output explains every row that did not reach the list where it dropped out,
 * with the value at fault and what to do about it, then shows the Summary and the list's new content.
 */

/** "1 row", "3 rows". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
	return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}

/** What to do about each reason a row or contact is left out (README: Troubleshooting). */
export const FIX: Record<string, string> = {
	missing_email: 'add the address at the source, or point Profile Fields → Email at the field that holds it',
	invalid_email: 'correct the address at the source',
	invalid_field: 'make the field text before Segment Source (an Edit Fields node), or map another field',
	unreadable_row: 'fix that line of the file (a value holding the delimiter needs quotes)',
	duplicate: 'nothing: the first contact with this address was exported',
	field_too_long: 'shorten the value at the source, or set the exporter\'s Options → Long Values → Truncate and Count',
	rejected_by_destination: 'read the service\'s message and fix the value it refused (the sandbox, like a real service, refuses addresses at .invalid domains)',
	unsubscribed: 'nothing: the person unsubscribed; only they can subscribe again',
	not_sent: 'fix the cause in the Summary\'s error and run again (re-running is safe: contacts are upserted)',
	unconfirmed: 'run again: it may be there already, and re-running is safe',
};

/** Reasons an exporter finds before it sends anything; the others come from the service or the run. */
const BEFORE_SENDING = ['missing_email', 'invalid_email', 'duplicate', 'field_too_long'];

const WHAT: Record<string, [string, string]> = {
	missing_email: ['without an e-mail address', 'without an e-mail address'],
	invalid_email: ['with an address the services do not accept', 'with addresses the services do not accept'],
	duplicate: ['repeating an earlier address', 'repeating earlier addresses'],
	field_too_long: ['set aside as too long', 'set aside as too long'],
};

function describeValue(value: unknown): string {
	if (value === undefined || value === null) return '(no value)';
	if (value === '') return '(empty)';
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text);
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
	return groups;
}

/** Members from Segment Source's first output, whether one item per member or batch items. */
function membersOf(items: INodeExecutionData[]): IDataObject[] {
	return items.flatMap((item) => (Array.isArray(item.json.members) ? (item.json.members as IDataObject[]) : [item.json]));
}

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
	const workflow = JSON.parse(readFileSync(workflowFile, 'utf8')) as { nodes: Array<{ name: string; type: string }> };
	const result = await runWorkflow(workflow as Parameters<typeof runWorkflow>[0], { credentials: { campaignMonitorExportApi: sandbox.endpoints.campaignMonitor } });
	echoLogs(undefined);
	const sourceName = workflow.nodes.find((node) => node.type.endsWith('.segmentSource'))!.name;
	const exporterName = workflow.nodes.find((node) => node.type.endsWith('.campaignMonitorExport'))!.name;

	// Segment Source: rows in → members, each row that dropped out accounted for where it dropped.
	const sourceRun = result.run.data.resultData.runData[sourceName]?.[0];
	const members = membersOf(result.output(sourceName, 0));
	const invalid = result.output(sourceName, 1).map((item) => item.json);
	const hints = (sourceRun?.hints ?? []).map((hint) => hint.message);
	const accounting = hints.map((hint) => hint.match(/Rows in: (\d+) = members (\d+) \+ merged duplicates (\d+) \+ invalid (\d+) \+ in no segment (\d+)/)).find(Boolean);
	step(`${sourceName}: ${accounting ? `${plural(Number(accounting[1]), 'row')} in → ` : ''}${plural(members.length, 'member')}`);
	if (invalid.length) {
		console.log(`  ${plural(invalid.length, 'row')} set apart as invalid (its Invalid output), with the value at fault:`);
		for (const [reason, rows] of countBy(invalid, (row) => String(row.reason))) {
			console.log(`    ${reason}: ${plural(rows.length, 'row')} — to fix: ${FIX[reason] ?? 'see the message'}`);
			for (const row of rows) {
				const field = String(row.message ?? '').match(/Field "([^"]+)"/)?.[1] ?? 'email';
				const value = reason === 'invalid_email' || reason === 'missing_email' ? row.email : (row.profile as IDataObject | undefined)?.[field];
				console.log(`      row ${String(row.row).padEnd(4)} ${field} = ${describeValue(value)}`);
			}
		}
	}
	if (accounting) {
		const [, , , merged, , noSegment] = accounting.map(Number);
		if (merged) console.log(`  ${plural(merged, 'row')} merged into ${merged === 1 ? 'a member' : 'members'} with the same address (duplicates: one contact per address)`);
		if (noSegment) console.log(`  ${plural(noSegment, 'valid profile')} in no segment: left out (they match none of the segments' conditions)`);
	} else {
		for (const hint of hints) console.log(`  ${hint}`);
	}
	const perSegment = new Map<string, number>();
	for (const member of members) for (const name of (member.segments as string[] | undefined) ?? []) perSegment.set(name, (perSegment.get(name) ?? 0) + 1);
	const inSeveral = members.filter((member) => ((member.segments as string[] | undefined) ?? []).length > 1).length;
	console.log(`  ${plural(members.length, 'member')}: ${[...perSegment].map(([name, count]) => `${name} ${count}`).join(', ')}`);
	if (inSeveral) {
		console.log(`  ${plural(inSeveral, 'member is', 'members are')} in more than one segment: each is still one contact, sent once, with all its segment names in \`segments\``);
	}

	const exportError = result.nodeError(exporterName);
	if (exportError) {
		console.error(`\nThe export failed: ${exportError.message}\n${exportError.description ?? ''}`);
		await sandbox.stop();
		process.exit(1);
	}

	// The exporter: received → to send → exported, each drop explained where it happened.
	const summary = result.output(exporterName, 0)[0].json;
	const rejected = result.output(exporterName, 1).map((item) => item.json);
	const byReason = countBy(rejected, (item) => String(item.reason));
	const received = Number(summary.received);
	step(`${exporterName}: ${plural(received, 'member')} received`);
	const early = BEFORE_SENDING.filter((reason) => byReason.has(reason));
	const toSend = received - early.reduce((sum, reason) => sum + byReason.get(reason)!.length, 0);
	const drops = early.map((reason) => {
		const count = byReason.get(reason)!.length;
		return `${count} ${WHAT[reason][count === 1 ? 0 : 1]}`;
	});
	console.log(`  ${toSend.toLocaleString('en-US')} to send${drops.length ? `: ${drops.join(', ')}` : ''}`);
	const byService = ['rejected_by_destination', 'unsubscribed'].reduce((sum, reason) => sum + (byReason.get(reason)?.length ?? 0), 0);
	const notSent = Number(summary.notSent);
	const exported = Number(summary.exported);
	const created = summary.created === null || summary.created === undefined ? '' : ` (${Number(summary.created)} new, ${Number(summary.updated)} updated)`;
	const purposes = summary.requestsByPurpose as { discovery?: number; import?: number; poll?: number } | undefined;
	const requests = purposes
		? [plural(purposes.import ?? 0, 'import request'), plural(purposes.discovery ?? 0, 'look-up'), purposes.poll ? plural(purposes.poll, 'poll') : ''].filter(Boolean).join(', ')
		: plural(Number(summary.requests), 'request');
	console.log(
		`  ${plural(Number(summary.batches), 'batch', 'batches')} sent (${requests}${summary.retries ? `, ${plural(Number(summary.retries), 'retry', 'retries')}` : ''})` +
			` → ${exported.toLocaleString('en-US')} exported${created}` +
			`${byService ? `; ${byService} refused by Campaign Monitor` : ''}${notSent ? `; ${notSent} not sent (${Number(summary.unconfirmed)} unconfirmed)` : ''}`,
	);
	if (rejected.length) {
		console.log(`  Rejected output (${plural(rejected.length, 'contact')}), by reason, with what to do:`);
		for (const [reason, items] of byReason) {
			console.log(`    ${reason}: ${plural(items.length, 'contact')} — to fix: ${FIX[reason] ?? 'see the message'}`);
			for (const item of items) console.log(`      ${String(item.email).padEnd(40)} ${item.message}`);
		}
	}

	step(`${exporterName} — Summary (its first output, as later nodes see it)`);
	console.log(JSON.stringify(summary, null, 2).replace(/^/gm, '  '));

	const listId = 'cm-list-newsletter';
	const subscribers = sandbox.campaignMonitor.subscribers(listId);
	step(`What the sandbox list "${listId}" now holds: ${plural(subscribers.length, 'subscriber')} (first 8)`);
	const rows = subscribers.slice(0, 8).map((s) => [s.EmailAddress, s.Name, String(s.CustomFields['[City]'] ?? ''), String(s.CustomFields['[Country]'] ?? ''), s.State]);
	const header = ['EmailAddress', 'Name', '[City]', '[Country]', 'State'];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	for (const row of [header, ...rows]) console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ')}`);

	await sandbox.stop();
	const accountingHolds = received === exported + Number(summary.rejected) + Number(summary.skipped) + notSent;
	console.log(
		`\n✔ Of ${plural(received, 'member')} received: ${exported} exported, ${Number(summary.rejected)} rejected, ${Number(summary.skipped)} skipped, ${notSent} not sent` +
			` (the accounting ${accountingHolds ? 'adds up' : 'DOES NOT add up'}).`,
	);
	process.exit(accountingHolds && exported > 0 ? 0 : 1);
}

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(error);
		process.exit(1);
	});
}
