import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';

import type { DestinationAdapter } from './adapter';

/** A list the node exports to: its ID, and its name where the editor knows it (chosen from the list). */
export interface ListChoice {
	id: string;
	name?: string;
}

function isLocator(value: unknown): value is INodeParameterResourceLocator {
	return typeof value === 'object' && value !== null && 'value' in value;
}

/** A list from a resource locator parameter's value (its name only when it was picked from the list). */
export function listOfLocator(value: unknown): ListChoice {
	if (!isLocator(value)) return { id: String(value ?? '').trim() };
	const name = value.mode === 'list' && typeof value.cachedResultName === 'string' && value.cachedResultName.trim() ? value.cachedResultName.trim() : undefined;
	return { id: String(value.value ?? '').trim(), name };
}

/** Version 2's "Lists": a collection of list pickers. Empty entries are left out. */
export function readListsCollection(context: IExecuteFunctions, name = 'lists'): ListChoice[] {
	const entries = context.getNodeParameter(`${name}.list`, 0, []) as IDataObject[];
	return entries.map((entry) => listOfLocator(entry.list)).filter((list) => list.id !== '');
}

/** Names the target for the Summary: `targetName` (list names, else IDs) and the phrase of its message. */
export function nameTarget<A extends DestinationAdapter>(adapter: A, targetName: string, phrase: string): A {
	return Object.assign(adapter, { targetName, targetPhrase: phrase });
}

/** "Campaign Monitor list Newsletter", "ActiveCampaign lists Newsletter, VIP". */
export function listsPhrase(serviceName: string, lists: ListChoice[]): { targetName: string; phrase: string } {
	const names = lists.map((list) => list.name ?? list.id);
	return { targetName: names.join(', '), phrase: `${serviceName} ${names.length === 1 ? 'list' : 'lists'} ${names.join(', ')}` };
}
