import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { MEMBER_FILE_MARKER, MEMBER_FILE_MIME_TYPE, MEMBER_FILE_PROPERTY, MemberFileParts } from '../shared/engine/memberFiles';

/** Above this many members, items weigh on n8n's memory and saved executions: a hint recommends Member File. */
export const MEMBER_FILE_ADVISED_ABOVE = 50_000;

/**
 * The Member File output: members as NDJSON parts of bounded size, each stored with n8n's binary
 * helpers (on disk, or wherever n8n keeps binary data) and carried by one item whose json says
 * which part it is and how many members it holds. Each member is released once written.
 */
export async function memberFileItems(
	this: IExecuteFunctions,
	members: IDataObject[],
	memberItems: number[][],
	fromItems: boolean,
	maxMembers: number,
): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = [];
	const parts = new MemberFileParts(maxMembers);
	let paired = new Set<number>();
	const store = async (part: { bytes: Uint8Array; count: number }, pairedItems: Set<number>) => {
		const number = items.length + 1;
		const binary = await this.helpers.prepareBinaryData(
			Buffer.from(part.bytes.buffer, part.bytes.byteOffset, part.bytes.byteLength),
			`members-part-${number}.ndjson`,
			MEMBER_FILE_MIME_TYPE,
		);
		const pairedItem: IPairedItemData[] | IPairedItemData = fromItems ? [...pairedItems].map((item) => ({ item })) : { item: 0 };
		items.push({ json: { [MEMBER_FILE_MARKER]: true, part: number, count: part.count }, binary: { [MEMBER_FILE_PROPERTY]: binary }, pairedItem });
	};
	for (let index = 0; index < members.length; index++) {
		const closed = parts.add(members[index]);
		members[index] = undefined as unknown as IDataObject;
		if (closed) {
			await store(closed, paired);
			paired = new Set<number>();
		}
		if (fromItems) for (const item of memberItems[index]) paired.add(item);
	}
	const last = parts.finish();
	if (last) await store(last, paired);
	return items;
}
