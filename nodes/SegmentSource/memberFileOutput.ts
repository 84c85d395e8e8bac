import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { MAX_BYTES_PER_PART, MEMBER_FILE_MARKER, MEMBER_FILE_MIME_TYPE, MEMBER_FILE_PROPERTY, MemberFileParts } from '../shared/engine/memberFiles';

/** Above this many members, items weigh on n8n's memory and saved executions: a hint recommends Member File. */
export const MEMBER_FILE_ADVISED_ABOVE = 50_000;

/**
 * The Member File output: members as NDJSON parts of bounded size, each stored with n8n's binary
 * helpers (on disk, or wherever n8n keeps binary data) as soon as it is full, and carried by one item
 * whose json says which part it is and how many members it holds. Memory holds one part at most.
 */
export class MemberFileWriter {
	readonly items: INodeExecutionData[] = [];
	private partsMade: MemberFileParts | undefined;
	private paired = new Set<number>();

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly fromItems: boolean,
		private readonly maxMembers: number,
	) {}

	/**
	 * Made with the first member, not with the writer: made before the first pass over a file, the part's
	 * 64 MiB buffer led V8 to allocate that pass's row objects in old space (allocation-site pretenuring),
	 * where they kept every cell string alive past young collections: ~600 MB promoted for 1,000,000
	 * rows, and old space grown to match.
	 */
	private get parts(): MemberFileParts {
		return (this.partsMade ??= new MemberFileParts(this.maxMembers));
	}

	/** Adds a member; the promise, when there is one, settles once the part it closed is stored. */
	add(member: IDataObject, itemIndexes: number[]): Promise<void> | undefined {
		const closed = this.parts.add(member);
		const stored = closed ? this.store(closed, this.paired) : undefined;
		if (closed) this.paired = new Set<number>();
		if (this.fromItems) for (const item of itemIndexes) this.paired.add(item);
		return stored;
	}

	/** Stores the last part; the items, one per part. */
	async finish(): Promise<INodeExecutionData[]> {
		const last = this.parts.finish();
		if (last) await this.store(last, this.paired);
		return this.items;
	}

	private async store(part: { bytes: Uint8Array; count: number }, pairedItems: Set<number>): Promise<void> {
		const number = this.items.length + 1;
		const binary = await storeBytes(this.context, part.bytes, `members-part-${number}.ndjson`);
		const pairedItem: IPairedItemData[] | IPairedItemData = this.fromItems ? [...pairedItems].map((item) => ({ item })) : { item: 0 };
		this.items.push({ json: { [MEMBER_FILE_MARKER]: true, part: number, count: part.count }, binary: { [MEMBER_FILE_PROPERTY]: binary }, pairedItem });
	}
}

async function storeBytes(context: IExecuteFunctions, bytes: Uint8Array, fileName: string): Promise<IBinaryData> {
	return await context.helpers.prepareBinaryData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), fileName, MEMBER_FILE_MIME_TYPE);
}

/** Members as Member File items (members released as they are written). */
export async function memberFileItems(
	this: IExecuteFunctions,
	members: IDataObject[],
	memberItems: number[][],
	fromItems: boolean,
	maxMembers: number,
): Promise<INodeExecutionData[]> {
	const writer = new MemberFileWriter(this, fromItems, maxMembers);
	for (let index = 0; index < members.length; index++) {
		await writer.add(members[index], memberItems[index]);
		members[index] = undefined as unknown as IDataObject;
	}
	return await writer.finish();
}

/** Binary property of the invalid rows file (then invalidRows_2, invalidRows_3… when it takes several parts). */
export const INVALID_ROWS_PROPERTY = 'invalidRows';

/**
 * Invalid rows past the first `maxItems`, as an NDJSON file (one line per row, the json an item on
 * Invalid would have), in parts of at most 64 MiB stored as soon as they are full.
 */
export class InvalidRowsFile {
	/** Rows written to the file. */
	rows = 0;
	readonly binary: Record<string, IBinaryData> = {};
	private readonly parts = new MemberFileParts(Number.MAX_SAFE_INTEGER, MAX_BYTES_PER_PART);
	private stored = 0;

	constructor(private readonly context: IExecuteFunctions) {}

	add(json: IDataObject): Promise<void> | undefined {
		this.rows++;
		const closed = this.parts.add(json);
		return closed ? this.store(closed.bytes) : undefined;
	}

	async finish(): Promise<Record<string, IBinaryData>> {
		const last = this.parts.finish();
		if (last) await this.store(last.bytes);
		return this.binary;
	}

	private async store(bytes: Uint8Array): Promise<void> {
		const number = ++this.stored;
		const name = number === 1 ? 'invalid-rows.ndjson' : `invalid-rows-part-${number}.ndjson`;
		this.binary[number === 1 ? INVALID_ROWS_PROPERTY : `${INVALID_ROWS_PROPERTY}_${number}`] = await storeBytes(this.context, bytes, name);
	}
}
