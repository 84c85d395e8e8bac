import type { IBinaryData, IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DESTINATIONS, parametersV2 } from '../destinations';
import { csvRecords } from '../harness/csv';
import { makeProfiles, useSandbox } from '../harness/fixtures';
import { PackageNodeTypes } from '../harness/package';
import { binaryDataService, runWorkflow } from '../harness/run';
import { chain } from '../harness/workflows';

/** Addresses a spreadsheet would run as formulas, or that need quoting: each is invalid, so rejected before sending. */
const TRICKY = ['=HYPERLINK("http://evil.example","click")', '+1+1', '-2+3,"x"', '@SUM(A1:A9)', 'two\nlines@', 'Zoë, "quoted"@example', '\tleading-tab@'];

function input(invalid = 10): INodeExecutionData[] {
	const { profiles } = makeProfiles(20 + invalid, invalid, 4);
	// Last, so that they are among the contacts in the file.
	profiles.push(...TRICKY.map((email) => ({ email, firstName: 'Tricky' })));
	return profiles.map((json) => ({ json }));
}

async function fileText(binary: IBinaryData): Promise<string> {
	return (await (await binaryDataService()).getAsBuffer(binary)).toString('utf8');
}

test.each(DESTINATIONS)('$serviceName: "Max Rejected Items" is an option of version 2 only', ({ nodeType }) => {
	const optionOf = (version: number) => {
		const options = new PackageNodeTypes().getByNameAndVersion(`n8n-nodes-segment-export.${nodeType}`, version).description.properties.find((property) => property.name === 'options')!;
		return (options.options as INodeProperties[]).find((option) => option.name === 'maxRejectedItems');
	};
	for (const version of [1, 2]) {
		expect(optionOf(version)).toMatchObject({ displayName: 'Max Rejected Items', type: 'number', default: 1000, displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } } });
	}
});

describe.each(DESTINATIONS)('$serviceName: the Rejected file', (destination) => {
	const sandbox = useSandbox();
	const run = async (version: 1 | 2, options: IDataObject, invalid?: number) => {
		const workflow = chain({
			name: 'Export',
			type: destination.nodeType,
			credentials: destination.credentialRef,
			parameters: { ...(version === 2 ? parametersV2(destination) : destination.parameters), options },
		});
		workflow.nodes[1].typeVersion = version;
		const result = await runWorkflow(workflow, { credentials: { [destination.credentialType]: destination.credentials(sandbox()) }, startItems: input(invalid) });
		const [summary] = result.output('Export', 0);
		const rejected = result.output('Export', 1);
		const json = summary.json;
		expect(json.received).toBe(Number(json.exported) + Number(json.rejected) + Number(json.skipped) + Number(json.notSent));
		expect(rejected.length + Number(json.rejectedInFile)).toBe(Number(json.rejected) + Number(json.skipped) + Number(json.notSent));
		return { summary, rejected };
	};

	test('version 2 lists the first N contacts not exported as items and the rest in a CSV file on the Summary; version 1 lists them all as items', async () => {
		const all = await run(1, { maxRejectedItems: 3 });
		// Version 1 does not offer the option: a value saved anyway changes nothing.
		expect(all.summary.json).toMatchObject({ rejected: 10 + TRICKY.length, skipped: 4, notSent: 0, rejectedInFile: 0 });
		expect(all.summary.json.rejectedFile).toBeUndefined();
		expect(all.summary.binary).toBeUndefined();
		expect(all.rejected).toHaveLength(10 + TRICKY.length + 4);

		const limited = await run(2, { maxRejectedItems: 3 });
		const { json, binary } = limited.summary;
		expect(limited.rejected).toHaveLength(3);
		expect(json).toMatchObject({ rejected: 10 + TRICKY.length, skipped: 4, notSent: 0, rejectedInFile: 10 + TRICKY.length + 4 - 3 });
		expect(json.rejectedFile).toEqual({ property: 'rejected', fileName: 'export-rejected.csv', rows: json.rejectedInFile });
		expect(json.message).toContain(`; ${String(json.rejectedInFile)} of the contacts not exported are in file export-rejected.csv on this item (binary "rejected"), the first 3 on the Rejected output`);
		const file = binary!.rejected;
		// Stored as n8n stores binary data (a file here), not base64 in the item.
		expect(file.id).toMatch(/^filesystem(-v2)?:/);
		expect(file).toMatchObject({ fileName: 'export-rejected.csv', mimeType: 'text/csv' });
		const rows = csvRecords(await fileText(file));
		expect(rows).toHaveLength(Number(json.rejectedInFile));
		// Items then file rows: exactly version 1's Rejected items, in the same order (a missing address is an empty cell).
		const asRow = ({ email, reason, message }: IDataObject) => ({ email: email ?? '', reason, message });
		expect([...limited.rejected.map((item) => asRow(item.json)), ...rows.map(asRow)]).toEqual(all.rejected.map((item) => asRow(item.json)));
		expect(rows.map((row) => row.email)).toEqual(expect.arrayContaining(TRICKY));
	});

	test('version 2 by default lists 1,000 as items: a small run has no file, a larger one files the rest', async () => {
		const small = await run(2, {});
		expect(small.rejected).toHaveLength(10 + TRICKY.length + 4);
		expect(small.summary.json).toMatchObject({ rejectedInFile: 0 });
		expect(small.summary.binary).toBeUndefined();
		const large = await run(2, {}, 1_000);
		expect(large.rejected).toHaveLength(1_000);
		expect(large.summary.json).toMatchObject({ rejected: 1_000 + TRICKY.length, skipped: 4, rejectedInFile: TRICKY.length + 4 });
		expect(csvRecords(await fileText(large.summary.binary!.rejected))).toHaveLength(TRICKY.length + 4);
	});

});
