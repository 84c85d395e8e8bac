import type { INode } from 'n8n-workflow';

import { DESTINATIONS } from '../destinations';
import { useSandbox } from '../harness/fixtures';
import { PACKAGE_NAME, PACKAGE_ROOT } from '../harness/package';
import { editorContext } from '../harness/run';

type LookUp = (this: unknown, filter?: string) => Promise<unknown>;

/** The node's editor methods, loaded from dist/ as n8n loads them. */
function methodsOf(nodeFile: string, nodeClass: string): { listSearch?: Record<string, LookUp>; loadOptions?: Record<string, LookUp> } {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const NodeType = require(`${PACKAGE_ROOT}/dist/nodes/${nodeFile}`)[nodeClass];
	return new NodeType().methods ?? {};
}

describe.each(DESTINATIONS.filter((destination) => destination.editor.lists.method))('$serviceName editor look-ups', (destination) => {
	const sandbox = useSandbox();
	const node = (): INode => ({
		id: '1',
		name: 'Export',
		type: `${PACKAGE_NAME}.${destination.nodeType}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: destination.editor.parameters as INode['parameters'],
		credentials: { [destination.credentialType]: { id: '1', name: 'sandbox' } },
	});
	const context = () => editorContext(node(), { [destination.credentialType]: destination.credentials(sandbox()) });
	const methods = methodsOf(destination.editor.nodeFile, destination.editor.nodeClass);

	test('lists the target lists', async () => {
		const { kind, method, names } = destination.editor.lists;
		const answer = await methods[kind]![method].call(context());
		const options = (kind === 'listSearch' ? (answer as { results: Array<{ name: string }> }).results : (answer as Array<{ name: string }>));
		expect(options.map((option) => option.name)).toEqual(names);
	});

	test('lists the custom fields', async () => {
		const fields = (await methods.loadOptions![destination.editor.customFields.method].call(context())) as Array<{ name: string; value: string }>;
		expect(fields[0].name).toBe(destination.editor.customFields.first);
	});

	test('a refused credential gives a clear error without the secret', async () => {
		const { kind, method } = destination.editor.lists;
		const wrong = { ...destination.credentials(sandbox()), ...destination.credentialTest.wrong };
		const error = (await methods[kind]![method].call(editorContext(node(), { [destination.credentialType]: wrong })).catch((caught: Error) => caught)) as Error;
		expect(error.message).toMatch(new RegExp(`^${destination.serviceName} refused the credentials \\(${destination.credentialTest.refusedStatus}`));
		expect(JSON.stringify(error)).not.toContain('"wrong"');
	});
});
