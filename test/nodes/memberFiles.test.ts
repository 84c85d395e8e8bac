import type { IBinaryData, IDataObject, INodeExecutionData, INodeProperties, IWorkflowBase } from 'n8n-workflow';

import { DESTINATIONS } from '../destinations';
import { useSandbox } from '../harness/fixtures';
import { PackageNodeTypes } from '../harness/package';
import { binaryDataService, runWorkflow } from '../harness/run';
import { chain, type NodeSpec } from '../harness/workflows';
import { countRecords, recordsOfItems } from '../../nodes/shared/engine/batching';
import { linesOf, MAX_BYTES_PER_PART, MAX_MEMBERS_PER_PART, MemberFileParts } from '../../nodes/shared/engine/memberFiles';

/** Segment Source at version 2 (Member File is a version 2 output), the other nodes as given. */
function withSourceV2(...specs: NodeSpec[]): Pick<IWorkflowBase, 'nodes' | 'connections'> {
	const workflow = chain(...specs);
	for (const node of workflow.nodes) if (node.type.endsWith('.segmentSource')) node.typeVersion = 2;
	return workflow;
}

const memberFileSource = (partSize: number, extra: IDataObject = {}): NodeSpec => ({
	name: 'Segment Source',
	type: 'segmentSource',
	parameters: { source: 'sample', ...extra, options: { outputMode: 'memberFile', memberFilePartSize: partSize } },
});

async function partText(binary: IBinaryData): Promise<string> {
	return (await (await binaryDataService()).getAsBuffer(binary)).toString('utf8');
}

/** An item holding a member file part kept in the item (base64), as another node could pass it on. */
function inlinePart(part: number, lines: string[], count = lines.length): INodeExecutionData {
	return {
		json: { segmentSourceMemberFile: true, part, count },
		binary: { members: { data: Buffer.from(lines.join('\n')).toString('base64'), mimeType: 'application/x-ndjson', fileName: `members-part-${part}.ndjson` } },
	};
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
	for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

describe('member files: parts and lines', () => {
	test('a part never passes its member or byte bound, and every member is in exactly one part', () => {
		expect(MAX_MEMBERS_PER_PART).toBe(100_000);
		// Well under n8n's 512 MiB database-mode limit (N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE).
		expect(MAX_BYTES_PER_PART).toBeLessThanOrEqual(64 * 1024 * 1024);
		const parts = new MemberFileParts(4, 200);
		const written: Array<{ bytes: Uint8Array; count: number }> = [];
		for (let index = 0; index < 23; index++) {
			const closed = parts.add({ email: `m${index}@example.com`, note: 'x'.repeat(index * 3) });
			if (closed) written.push(closed);
		}
		written.push(parts.finish()!);
		expect(parts.finish()).toBeUndefined();
		for (const part of written) {
			expect(part.count).toBeLessThanOrEqual(4);
			// A single member larger than the bound still gets a part of its own.
			if (part.count > 1) expect(part.bytes.length).toBeLessThanOrEqual(200);
		}
		const emails = written.flatMap((part) => new TextDecoder().decode(part.bytes).trim().split('\n').map((line) => (JSON.parse(line) as IDataObject).email));
		expect(emails).toEqual(Array.from({ length: 23 }, (_, index) => `m${index}@example.com`));
	});

	test('lines are decoded across chunk boundaries, multi-byte characters included, blank lines skipped, numbered as in the file', async () => {
		const text = '{"n":"Zoë"}\r\n\n{"n":"日本"}\n{"n":"😀"}';
		const bytes = new TextEncoder().encode(text);
		for (const size of [1, 2, 3, 7, 1000]) {
			const lines = [];
			for await (const line of linesOf(chunked(bytes, size))) lines.push(line);
			expect(lines).toEqual([
				{ text: '{"n":"Zoë"}', line: 1 },
				{ text: '{"n":"日本"}', line: 3 },
				{ text: '{"n":"😀"}', line: 4 },
			]);
		}
	});

	test('records are read from the parts as they are asked for, counted from the parts\' json without reading them', async () => {
		const items: INodeExecutionData[] = [inlinePart(1, ['{"email":"a@example.com"}', '{"email":"b@example.com"}']), inlinePart(2, ['{"email":"c@example.com"}'], 1), { json: { email: 'd@example.com' } }];
		const opened: number[] = [];
		const read = async (itemIndex: number) => {
			opened.push(itemIndex);
			return chunked(Buffer.from(items[itemIndex].binary!.members.data, 'base64'), 5);
		};
		expect(countRecords(items, 'email')).toBe(4);
		expect(opened).toEqual([]);
		const records = recordsOfItems(items, 'email', read);
		expect((await records.next()).value).toMatchObject({ record: { email: 'a@example.com' }, itemIndex: 0, where: 'file part 1, line 1' });
		expect(opened).toEqual([0]);
		const rest = [];
		for await (const record of records) rest.push(record.where);
		expect(rest).toEqual(['file part 1, line 2', 'file part 2, line 1', 'item 2']);
		expect(opened).toEqual([0, 1]);
	});

	test('a part holding more lines than it declares stops the reading there', async () => {
		const items = [inlinePart(1, ['{"email":"a@example.com"}', '{"email":"b@example.com"}'], 1)];
		const records = recordsOfItems(items, 'email', async () => chunked(Buffer.from(items[0].binary!.members.data, 'base64'), 100));
		await expect((async () => {
			for await (const record of records) void record;
		})()).rejects.toThrow('File part 1 holds more members than the 1 it declares (line 2)');
	});
});

describe('Segment Source: Member File output (version 2)', () => {
	test('members go to disk as NDJSON parts of the chosen size, each item counting its part, then the accounting item', async () => {
		const result = await runWorkflow(withSourceV2(memberFileSource(100)));
		const items = result.output('Segment Source', 0);
		const accounting = items.at(-1)!.json;
		expect(accounting).toMatchObject({ segmentSourceAccounting: true, members: [], count: 0 });
		const members = (accounting.accounting as IDataObject).members as number;
		const parts = items.slice(0, -1);
		expect(parts.length).toBe(Math.ceil(members / 100));
		let total = 0;
		for (const [index, part] of parts.entries()) {
			expect(part.json).toEqual({ segmentSourceMemberFile: true, part: index + 1, count: expect.any(Number) });
			expect(part.json.count).toBeLessThanOrEqual(100);
			const binary = part.binary!.members;
			// On disk through n8n's binary data service: the item holds a reference, not the data.
			expect(binary.id).toMatch(/^filesystem(-v2)?:/);
			expect(binary).toMatchObject({ mimeType: 'application/x-ndjson', fileName: `members-part-${index + 1}.ndjson` });
			const lines = (await partText(binary)).trim().split('\n');
			expect(lines).toHaveLength(part.json.count as number);
			for (const line of lines) expect(JSON.parse(line)).toMatchObject({ email: expect.stringContaining('@'), segments: expect.any(Array) });
			total += lines.length;
		}
		expect(total).toBe(members);
		expect(result.output('Segment Source', 1).length).toBe((accounting.accounting as IDataObject).invalid);
	});

	test('version 1 keeps its outputs: Member File is not offered and a saved value falls back to one item per member', async () => {
		const outputModes = (version: number) => {
			const description = new PackageNodeTypes().getByNameAndVersion('n8n-nodes-segment-export.segmentSource', version).description;
			const options = (description.properties.find((property) => property.name === 'options')!.options ?? []) as INodeProperties[];
			return options
				.filter((option) => option.name === 'outputMode')
				.filter((option) => JSON.stringify(option.displayOptions?.show?.['@version']) === JSON.stringify(version === 1 ? [1] : [{ _cnd: { gte: 2 } }]))
				.flatMap((option) => (option.options as Array<{ value: string }>).map(({ value }) => value));
		};
		expect(outputModes(1)).toEqual(['members', 'batches']);
		expect(outputModes(2)).toEqual(['members', 'batches', 'memberFile']);
		const result = await runWorkflow(chain(memberFileSource(100)));
		const items = result.output('Segment Source', 0);
		expect(items.some((item) => item.binary)).toBe(false);
		expect(items[0].json.email).toEqual(expect.stringContaining('@'));
	});

	test('above 50,000 members in items mode a hint recommends Member File', async () => {
		const result = await runWorkflow(withSourceV2({ name: 'Segment Source', type: 'segmentSource', parameters: { source: 'sample', sampleSize: 50_001, sampleProblemRows: false, options: { outputMode: 'batches' } } }));
		const hints = (result.run.data.resultData.runData['Segment Source'][0].hints ?? []).map((hint) => hint.message);
		expect(hints).toEqual(expect.arrayContaining([expect.stringContaining('"Member File"')]));
	});
});

describe.each(DESTINATIONS)('$serviceName exports from member files', (destination) => {
	const sandbox = useSandbox();
	const exporter = (extra: IDataObject = {}): NodeSpec => ({
		name: 'Export',
		type: destination.nodeType,
		credentials: destination.credentialRef,
		parameters: { ...destination.parameters, ...extra },
	});
	const credentials = () => ({ [destination.credentialType]: destination.credentials(sandbox()) });

	test('every member of every part is accounted for, and the sandbox holds exactly the exported members', async () => {
		const result = await runWorkflow(withSourceV2(memberFileSource(70), exporter()), { credentials: credentials() });
		const items = result.output('Segment Source', 0);
		const parts = items.filter((item) => item.json.segmentSourceMemberFile === true);
		expect(parts.length).toBeGreaterThan(2);
		const memberEmails: string[] = [];
		for (const part of parts) for (const line of (await partText(part.binary!.members)).trim().split('\n')) memberEmails.push(String((JSON.parse(line) as IDataObject).email));

		const summary = result.output('Export', 0)[0].json;
		const rejected = result.output('Export', 1);
		const source = summary.segmentSource as IDataObject;
		expect(summary.received).toBe(memberEmails.length);
		expect(source.members).toBe(memberEmails.length);
		expect((summary.exported as number) + (summary.rejected as number) + (summary.skipped as number) + (summary.notSent as number)).toBe(summary.received);
		expect(summary.notSent).toBe(0);
		const rejectedEmails = new Set(rejected.map((item) => String(item.json.email).toLowerCase()));
		const expected = memberEmails.map((email) => email.toLowerCase()).filter((email) => !rejectedEmails.has(email));
		expect([...destination.stored(sandbox())].map((email) => email.toLowerCase()).sort()).toEqual(expected.sort());
		// Messages about input records name the part and line, not an item.
		for (const item of rejected) expect(item.json.message).not.toMatch(/^Input item /);
	});

	test('a bad line in a part is rejected with its part and line; the other members are exported', async () => {
		const good = (n: number) => JSON.stringify({ email: `file.${n}@example.com`, firstName: `File${n}`, segments: [] });
		const result = await runWorkflow(chain(exporter()), {
			credentials: credentials(),
			startItems: [inlinePart(1, [good(1), good(2)]), inlinePart(2, [good(3), '{"email": "broken', good(4)])],
		});
		const summary = result.output('Export', 0)[0].json;
		expect(summary).toMatchObject({ received: 5, exported: 4, rejected: 1 });
		const rejected = result.output('Export', 1);
		expect(rejected).toHaveLength(1);
		expect(rejected[0].json.message).toBe('Input file part 2, line 2 is not a JSON object');
		expect([...destination.stored(sandbox())].sort()).toEqual(['file.1@example.com', 'file.2@example.com', 'file.3@example.com', 'file.4@example.com']);
	});

	test('the run cap is checked from the parts\' counts before the first request', async () => {
		const result = await runWorkflow(chain(exporter({ options: { maxContacts: 3 } })), {
			credentials: credentials(),
			startItems: [inlinePart(1, ['{"email":"a@example.com"}', '{"email":"b@example.com"}']), inlinePart(2, ['{"email":"c@example.com"}', '{"email":"d@example.com"}'])],
		});
		expect(result.nodeError('Export')?.message).toBe('4 contacts received, more than this node\'s limit of 3');
		expect(sandbox().requests).toHaveLength(0);
	});
});
