import type { FilterValue, IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { SourceAccounting } from '../shared/engine/accounting';
import { MAX_LISTED_INVALID_ROWS, SOURCE_ACCOUNTING_MARKER } from '../shared/engine/accounting';
import { MEMBER_BATCH_MARKER } from '../shared/engine/batching';
import { checkEmail } from '../shared/contact';
import { MAX_BYTES_PER_PART, MAX_MEMBERS_PER_PART } from '../shared/engine/memberFiles';
import { INVALID_ROWS_PROPERTY, InvalidRowsFile, MEMBER_FILE_ADVISED_ABOVE, MemberFileWriter } from './memberFileOutput';
import type { FieldNames, ProfileField } from './profileFields';
import { findEmailColumn, PROFILE_FIELDS, resolveFieldNames } from './profileFields';
import type { ByteSource, FileEncoding } from './decode';
import { decodeFile, decodeStream } from './decode';
import { ownValue } from './ownFields';
import type { ColumnValues, CsvNotes, FileFormat, FileRow, HeaderMode } from './readers';
import { BATCH_ROWS, readFileStream, readFileWithNotes, UnreadableFile } from './readers';
import { RepeatedEmails } from './repeatedEmails';
import { MAX_GENERATED_PROFILES, SAMPLE_SIZE, sampleProfile } from './sampleProfiles';
import type { CompiledSegment } from './segments';
import { compileSegment } from './segments';
import type { InvalidRow, MemberOptions, MergeRule, SourceRow, UnifiedProfile } from './unify';
import { checkRow, ProfileMerger, toMember, unifyProfiles } from './unify';

/** Rows whose keys are read to find which fields hold e-mail, names and address parts. */
const FIELD_DETECTION_ROWS = 100;
/** The limit of Dynamics 365 Customer Insights' exports: one export holds at most a million profiles. */
const DEFAULT_MAX_PROFILES = 1_000_000;
/** Invalid rows output as items by default from version 2 (the others go to a file): enough to read, few enough for n8n's memory. */
const DEFAULT_MAX_INVALID_ITEMS = 1_000;
/** Members per item in batch output: large segments stay a few thousand items. */
export const MEMBERS_PER_BATCH = 10_000;

const FIELD_LABELS: Record<ProfileField, string> = {
	email: 'Email',
	firstName: 'First Name',
	lastName: 'Last Name',
	phone: 'Phone',
	address: 'Address',
	city: 'City',
	state: 'State',
	postalCode: 'Postal Code',
	country: 'Country',
};

export class SegmentSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Segment Source',
		name: 'segmentSource',
		icon: { light: 'file:segmentSource.svg', dark: 'file:segmentSource.dark.svg' },
		group: ['transform'],
		// Version 2 adds the accounting item to Members (see "Accounting Item" in the options).
		version: [1, 2],
		defaultVersion: 2,
		subtitle:
			'={{($parameter["source"] === "sample" ? "Sample" : $parameter["source"] === "file" ? "File" : "Items") + " → " + ((($parameter["segments"] || {}).segment || []).length === 0 ? "every valid profile" : (($parameter["segments"] || {}).segment || []).length === 1 ? "1 segment" : (($parameter["segments"] || {}).segment || []).length + " segments")}}',
		description: 'Turn customer profiles into segment members: e-mail normalised, duplicates merged, invalid rows set apart',
		defaults: { name: 'Segment Source' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Members', 'Invalid'],
		properties: [
			{
				displayName: 'Profiles',
				name: 'source',
				type: 'options',
				options: [
					{ name: 'Incoming Items', value: 'items', description: 'One profile per input item' },
					{ name: 'File in Binary Data', value: 'file', description: 'A CSV, JSON array or NDJSON file from the incoming item' },
					{ name: 'Bundled Sample Profiles', value: 'sample', description: 'Synthetic profiles for trying the nodes out, some invalid or duplicated' },
				],
				default: 'items',
			},
			{
				displayName:
					'The bundled sample has 300 synthetic profiles with these fields: customerId, email, firstName, lastName, phone, address, city, state, postalCode, country, loyaltyTier, lifetimeValue, ordersCount, lastOrderDate. Some rows are invalid or duplicated on purpose.',
				name: 'sampleNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['sample'] } },
			},
			{
				displayName: 'Input Binary Field',
				name: 'binaryProperty',
				type: 'string',
				default: 'data',
				required: true,
				description: 'Binary field of the first input item holding the file',
				displayOptions: { show: { source: ['file'] } },
			},
			{
				displayName: 'File Format',
				name: 'fileFormat',
				type: 'options',
				options: [
					{ name: 'Detect', value: 'auto', description: 'JSON when the file starts with [ or {, else CSV' },
					{ name: 'CSV', value: 'csv' },
					{ name: 'JSON Array', value: 'json' },
					{ name: 'NDJSON (One Object per Line)', value: 'ndjson' },
				],
				default: 'auto',
				displayOptions: { show: { source: ['file'] } },
			},
			{
				displayName: 'File Encoding',
				name: 'fileEncoding',
				type: 'options',
				options: [
					{ name: 'UTF-8', value: 'utf-8', description: 'Bytes that are not UTF-8 stop the run, naming line and byte' },
					{ name: 'Latin-1 (ISO-8859-1)', value: 'latin1' },
					{ name: 'Windows-1252', value: 'windows-1252', description: 'Latin-1 with €, curly quotes and dashes: what Excel on Windows saves as "CSV"' },
				],
				default: 'utf-8',
				description: 'Used for files without a byte order mark; UTF-16 and UTF-8 files with one are read as such. Gzip-compressed files are recognised and decompressed.',
				displayOptions: { show: { source: ['file'] } },
			},
			{
				displayName: 'CSV Delimiter',
				name: 'csvDelimiter',
				type: 'options',
				options: [
					{ name: 'Detect', value: 'auto' },
					{ name: 'Comma', value: ',' },
					{ name: 'Semicolon', value: ';' },
					{ name: 'Tab', value: '\\t' },
					{ name: 'Pipe', value: '|' },
				],
				default: 'auto',
				displayOptions: { show: { source: ['file'], fileFormat: ['auto', 'csv'] } },
			},
			{
				displayName: 'CSV Header Row',
				name: 'csvHeader',
				type: 'options',
				options: [
					{ name: 'Detect', value: 'auto', description: 'A first row without e-mail addresses or numbers is the header (a hint says so); if the file has no header, choose "No"' },
					{ name: 'Yes', value: 'yes' },
					{ name: 'No', value: 'no', description: 'Columns are named column1, column2, …' },
				],
				default: 'auto',
				displayOptions: { show: { source: ['file'], fileFormat: ['auto', 'csv'] } },
			},
			{
				displayName: 'Number of Profiles',
				name: 'sampleSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_GENERATED_PROFILES },
				default: SAMPLE_SIZE,
				description: `The bundled sample has ${SAMPLE_SIZE}; any other number generates that many from the same seed (for load tests)`,
				displayOptions: { show: { source: ['sample'] } },
			},
			{
				displayName: 'Include Problem Rows',
				name: 'sampleProblemRows',
				type: 'boolean',
				default: true,
				description: 'Whether the sample has its invalid, duplicated and destination-refused rows; off, every profile is valid and unique (for load tests)',
				displayOptions: { show: { source: ['sample'] } },
			},
			{
				displayName:
					'With no segment, every valid profile passes as a member. After a run, conditions such as {{ $json.ordersCount }} may show red "[undefined]": the editor previews them against the first input item (the trigger\'s), not the profiles. The node evaluates them per profile: check the Members output and the per-segment counts.',
				name: 'segmentsNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Segments',
				name: 'segments',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true, sortable: true },
				placeholder: 'Add segment',
				default: {},
				description: 'Members are the profiles in at least one segment; each member lists its segments in "segments". With no segment, every valid profile is a member.',
				options: [
					{
						displayName: 'Segment',
						name: 'segment',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', required: true, placeholder: 'VIP customers' },
							{
								displayName: 'Conditions',
								name: 'conditions',
								type: 'filter',
								default: {},
								typeOptions: { filter: { typeValidation: 'loose', version: 2 } },
								description: 'Refer to member fields like {{ $json.country }}; no condition means every profile',
								hint: 'Previews of {{ $json.… }} here show the first input item, not the profiles: "[undefined]" in red is expected',
							},
						],
					},
				],
			},
			{
				displayName: 'Profile Fields',
				name: 'profileFields',
				type: 'collection',
				placeholder: 'Name the Input Field of a Profile Part',
				default: {},
				description: 'Which input field holds each part of the profile. Parts not set here are found by name (e.g. "Email", "email_address", "zip").',
				options: PROFILE_FIELDS.map((field) => ({
					displayName: `${FIELD_LABELS[field]} Field`,
					name: field,
					type: 'string' as const,
					default: field,
				})),
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Accounting Item',
						name: 'accountingItem',
						type: 'boolean',
						default: true,
						description:
							'Whether Members ends with one item counting what happened to the rows (rows in, members, merged, invalid, in no segment). Exporters send nothing for it and carry it into their Summary; it also makes them run, with a zero Summary, when there is no member. On by default from node version 2.',
					},
					{
						displayName: 'Country Names to ISO Codes',
						name: 'countryCodes',
						type: 'boolean',
						default: false,
						description: 'Whether "country" becomes its ISO 3166-1 code ("Germany" → "DE"); unknown names stay as they are and are counted',
					},
					{
						displayName: 'Default Country for Phones',
						name: 'defaultCountry',
						type: 'string',
						default: '',
						placeholder: 'US',
						description: 'Country (name or ISO code) of phone numbers written without "+" when the profile has no country',
					},
					{
						displayName: 'Fail When No Members',
						name: 'failWhenNoMembers',
						type: 'boolean',
						default: false,
						description: 'Whether no members at all (empty file, every row invalid, no profile in any segment) fails the node instead of succeeding with a hint, so a scheduled export that quietly does nothing is noticed',
					},
					{
						displayName: 'Invalid Rows as Items',
						name: 'maxInvalidItems',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: DEFAULT_MAX_INVALID_ITEMS,
						description: `Most invalid rows output as items on Invalid; the others go to an NDJSON file (binary field "${INVALID_ROWS_PROPERTY}") on the accounting item, and every one is counted`,
						displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
					},
					{
						displayName: 'Max Profiles',
						name: 'maxProfiles',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_MAX_PROFILES,
						description: 'More rows than this fail the node (the platform this replaces exports at most a million)',
					},
					{
						displayName: 'Merge Rule',
						name: 'mergeRule',
						type: 'options',
						options: [
							{ name: 'First Non-Empty Value Wins', value: 'firstNonEmpty' },
							{ name: 'Most Recent Row Wins', value: 'mostRecent', description: 'By the timestamp field; older rows fill the gaps' },
						],
						default: 'firstNonEmpty',
						description: 'How rows with the same e-mail address become one profile',
					},
					{
						displayName: 'Normalise Phones to E.164',
						name: 'normalisePhone',
						type: 'boolean',
						default: false,
						description: 'Whether phone numbers become "+<country code><number>", using the profile\'s country or the default country',
					},
					{
						displayName: 'Output',
						name: 'outputMode',
						type: 'options',
						options: [
							{ name: 'One Item per Member', value: 'members' },
							{ name: 'Batches of Members', value: 'batches', description: `One item per ${MEMBERS_PER_BATCH.toLocaleString('en-US')} members in "members": for large segments` },
						],
						default: 'members',
						displayOptions: { show: { '@version': [1] } },
					},
					{
						displayName: 'Output',
						name: 'outputMode',
						type: 'options',
						options: [
							{ name: 'One Item per Member', value: 'members', description: 'For small segments, and to transform members with other nodes' },
							{ name: 'Batches of Members', value: 'batches', description: `One item per ${MEMBERS_PER_BATCH.toLocaleString('en-US')} members in "members"` },
							{
								name: 'Member File',
								value: 'memberFile',
								description: `Members as NDJSON files (binary field "members") in parts of at most ${MAX_MEMBERS_PER_PART.toLocaleString('en-US')} members or ${MAX_BYTES_PER_PART / 1_048_576} MiB: for more than ${MEMBER_FILE_ADVISED_ABOVE.toLocaleString('en-US')} members, the exporters read them in batches`,
							},
						],
						default: 'members',
						hint: `Above ${MEMBER_FILE_ADVISED_ABOVE.toLocaleString('en-US')} members, choose Member File: items weigh on n8n's memory and saved executions`,
						displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
					},
					{
						displayName: 'Members per File Part',
						name: 'memberFilePartSize',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_MEMBERS_PER_PART },
						default: MAX_MEMBERS_PER_PART,
						description: `Most members in one part of the member file (parts also stay under ${MAX_BYTES_PER_PART / 1_048_576} MiB)`,
						displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }], outputMode: ['memberFile'] } },
					},
					{
						displayName: 'Timestamp Field',
						name: 'timestampField',
						type: 'string',
						default: 'updatedAt',
						description: 'Field holding when the row was last updated (ISO date or epoch milliseconds), for the most-recent rule',
						displayOptions: { show: { mergeRule: ['mostRecent'] } },
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		const source = this.getNodeParameter('source', 0) as 'items' | 'file' | 'sample';
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const maxProfiles = typeof options.maxProfiles === 'number' ? options.maxProfiles : DEFAULT_MAX_PROFILES;
		const memberFile = options.outputMode === 'memberFile' && node.typeVersion >= 2;
		const partSize = typeof options.memberFilePartSize === 'number' ? options.memberFilePartSize : MAX_MEMBERS_PER_PART;
		if (memberFile && (!Number.isInteger(partSize) || partSize < 1 || partSize > MAX_MEMBERS_PER_PART)) {
			throw new NodeOperationError(node, `"Members per File Part" must be a whole number from 1 to ${MAX_MEMBERS_PER_PART.toLocaleString('en-US')}`);
		}
		// Version 1 puts every invalid row on Invalid, as documented; version 2 the first ones, the rest in a file.
		const maxInvalidItems = node.typeVersion >= 2 ? (typeof options.maxInvalidItems === 'number' ? options.maxInvalidItems : DEFAULT_MAX_INVALID_ITEMS) : Infinity;
		if (!(maxInvalidItems === Infinity || (Number.isInteger(maxInvalidItems) && maxInvalidItems >= 0))) {
			throw new NodeOperationError(node, '"Invalid Rows as Items" must be a whole number, 0 or more');
		}
		const unifyOptions = {
			mergeRule: (options.mergeRule as MergeRule) ?? 'firstNonEmpty',
			timestampField: typeof options.timestampField === 'string' ? options.timestampField : 'updatedAt',
		};
		const memberOptions = {
			normalisePhone: options.normalisePhone === true,
			defaultCountry: typeof options.defaultCountry === 'string' && options.defaultCountry.trim() ? options.defaultCountry.trim() : undefined,
			countryCodes: options.countryCodes === true,
		};
		const writer = memberFile ? new MemberFileWriter(this, source === 'items', partSize) : undefined;

		let merged: number;
		let segments: CompiledSegment[];
		let members: MemberSink;
		let invalid: InvalidSink;
		let file: Rows['file'];
		if (memberFile && source !== 'items') {
			// Streamed in two passes: only one part of the member file and the profiles whose e-mail
			// repeats, until their last row, are held in memory, whatever the number of rows.
			const first = await firstPass.call(this, source, maxProfiles);
			file = first.file;
			segments = readSegments.call(this, source);
			members = new MemberSink(this, first.fields, segments, memberOptions, writer);
			invalid = new InvalidSink(this, first.fields, maxInvalidItems);
			const merger = new ProfileMerger(unifyOptions);
			/** Rows read so far of each address that repeats, until its last row. */
			const rowsRead = new Map<string, number>();
			await readingFile.call(this, first.fileLabel, async () => {
				for await (const batch of first.batches()) {
					for (const row of batch) {
						const checked = checkRow(row, first.fields);
						// Awaited only when a part is being stored: a million needless awaits are a million promises.
						if ('invalid' in checked) {
							const stored = invalid.add(checked.invalid);
							if (stored) await stored;
							continue;
						}
						const { email, record } = checked;
						const rows = first.repeated?.rows(email) ?? 1;
						let profile: UnifiedProfile;
						if (rows <= 1) profile = merger.single(email, record, row.itemIndex);
						else {
							// A repeated address waits for its last row (its member then comes where that row is).
							merger.add(email, record, row.itemIndex);
							const read = (rowsRead.get(email) ?? 0) + 1;
							if (read < rows) {
								rowsRead.set(email, read);
								continue;
							}
							rowsRead.delete(email);
							profile = merger.byEmail.get(email)!;
							merger.byEmail.delete(email);
						}
						const stored = members.add(profile);
						if (stored) await stored;
					}
				}
			});
			// Addresses whose fingerprint another address shares: their count never matched; in the order of their first row.
			for (const profile of merger.byEmail.values()) await members.add(profile);
			merger.byEmail.clear();
			merged = merger.merged;
		} else {
			const read = await readRows.call(this, source, maxProfiles);
			file = read.file;
			if (read.count > maxProfiles) throw tooManyProfiles(node, read.count, maxProfiles);
			const fields = resolveFields.call(this, read.head);
			segments = readSegments.call(this, source);
			const unified = unifyProfiles(read.rows, fields, unifyOptions);
			merged = unified.merged;
			members = new MemberSink(this, fields, segments, memberOptions, writer);
			const { profiles } = unified;
			for (let index = 0; index < profiles.length; index++) {
				const profile = profiles[index];
				// The merged row is not needed once its member exists: let it go, for million-row runs.
				profiles[index] = undefined as unknown as UnifiedProfile;
				await members.add(profile);
			}
			profiles.length = 0;
			invalid = new InvalidSink(this, fields, maxInvalidItems);
			for (const row of unified.invalid) await invalid.add(row);
		}

		const output: INodeExecutionData[] = [];
		if (writer) output.push(...(await writer.finish()));
		else if (options.outputMode === 'batches') {
			for (let start = 0; start < members.members.length; start += MEMBERS_PER_BATCH) {
				const batch = members.members.slice(start, start + MEMBERS_PER_BATCH);
				const items = source === 'items' ? [...new Set(members.memberItems.slice(start, start + MEMBERS_PER_BATCH).flat())].map((item) => ({ item })) : { item: 0 };
				output.push({ json: { [MEMBER_BATCH_MARKER]: true, batch: output.length + 1, count: batch.length, members: batch }, pairedItem: items });
			}
		} else {
			const paired = (itemIndexes: number[]) => (source === 'items' ? itemIndexes.map((item) => ({ item })) : { item: 0 });
			for (let index = 0; index < members.members.length; index++) output.push({ json: members.members[index], pairedItem: paired(members.memberItems[index]) });
		}
		const invalidFile = await invalid.finish();

		const memberCount = members.count;
		const tally: Tally = {
			rows: invalid.count + merged + members.excluded + memberCount,
			members: memberCount,
			merged,
			invalid: invalid.count,
			excluded: members.excluded,
			segmentCounts: members.segmentCounts,
			memberKeys: members.memberKeys,
			comparisonErrors: members.comparisonErrors,
			counts: members.counts,
		};
		const noMembers = memberCount === 0 ? whyNoMembers(tally, segments.length > 0, file) : undefined;
		if (noMembers && options.failWhenNoMembers === true) {
			throw new NodeOperationError(node, `No members: ${noMembers}`, { description: 'Turn off "Fail When No Members" in the options to let an empty result succeed.' });
		}
		const withAccounting = typeof options.accountingItem === 'boolean' ? options.accountingItem : node.typeVersion >= 2;
		const invalidItems = invalid.items;
		if (withAccounting) output.push(accountingItem(segments, tally, invalid, invalidFile));
		else if (invalidFile) {
			invalidItems.push({ json: { [INVALID_ROWS_FILE_MARKER]: true, rows: invalid.inFile }, binary: invalidFile, pairedItem: { item: 0 } });
		}
		this.addExecutionHints(
			...[
				...hintsFor(segments, tally),
				...invalidFileHints(invalid, withAccounting),
				...fileHints(file),
				...(noMembers ? [`No members: ${noMembers}`] : []),
				...outputHints(node.typeVersion, memberFile, memberCount),
			].map((message) => ({
				message,
				location: 'outputPane' as const,
			})),
		);
		return [output, invalidItems];
	}
}

/** Field of the item carrying the invalid rows file on Invalid when there is no accounting item. */
const INVALID_ROWS_FILE_MARKER = 'segmentSourceInvalidRowsFile';

function tooManyProfiles(node: ReturnType<IExecuteFunctions['getNode']>, count: number, maxProfiles: number): NodeOperationError {
	return new NodeOperationError(node, `${count.toLocaleString('en-US')} profiles, more than the limit of ${maxProfiles.toLocaleString('en-US')}`, {
		description: 'Raise "Max Profiles" in the options, or split the data.',
	});
}

/** Which input field holds each part of the profile, from the first rows; fails when no field holds e-mail addresses. */
function resolveFields(this: IExecuteFunctions, head: SourceRow[]): FieldNames {
	const readable = head.flatMap((row) => (row.record ? [row.record] : []));
	const explicit = this.getNodeParameter('profileFields', 0, {}) as Partial<Record<ProfileField, string>>;
	const fields = resolveFieldNames(explicit, readable);
	if (readable.length && !readable.some((record) => Object.hasOwn(record, fields.email))) {
		const column = explicit.email ? undefined : findEmailColumn(readable);
		if (!column) {
			throw new NodeOperationError(this.getNode(), `No e-mail field found: the input has no field "${fields.email}"`, {
				description: 'Set "Profile Fields → Email Field" to the name of the field holding the e-mail address.',
			});
		}
		fields.email = column;
	}
	return fields;
}

/** Members as they are made: converted, tested against the segments, counted, then written or kept. */
class MemberSink {
	count = 0;
	excluded = 0;
	readonly segmentCounts: number[];
	readonly memberKeys = new Set<string>();
	readonly comparisonErrors: string[] = [];
	readonly counts = { phonesNotNormalised: 0, countriesNotRecognised: 0 };
	/** Members kept for item and batch output (not for Member File, where they are written as they come). */
	readonly members: IDataObject[] = [];
	readonly memberItems: number[][] = [];
	private readonly mapped: Set<string>;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly fields: FieldNames,
		private readonly segments: CompiledSegment[],
		private readonly options: MemberOptions,
		private readonly writer: MemberFileWriter | undefined,
	) {
		this.mapped = new Set<string>(Object.values(fields));
		this.segmentCounts = segments.map(() => 0);
	}

	add(profile: UnifiedProfile): Promise<void> | undefined {
		const member = toMember(profile, this.fields, this.mapped, this.options, this.counts);
		if (this.count < FIELD_DETECTION_ROWS) for (const key of Object.keys(member)) this.memberKeys.add(key);
		const memberSegments: string[] = [];
		for (const [position, segment] of this.segments.entries()) {
			if (inSegment.call(this.context, segment, position, member, profile.itemIndexes[0], this.comparisonErrors)) {
				memberSegments.push(segment.name);
				this.segmentCounts[position]++;
			}
		}
		if (this.segments.length && memberSegments.length === 0) {
			this.excluded++;
			return undefined;
		}
		member.segments = memberSegments;
		this.count++;
		if (this.writer) return this.writer.add(member, profile.itemIndexes);
		this.members.push(member);
		this.memberItems.push(profile.itemIndexes);
		return undefined;
	}
}

/** Invalid rows: counted by reason, the first ones as items on Invalid, the rest in a file (version 2). */
class InvalidSink {
	count = 0;
	readonly byReason: Record<string, number> = {};
	/** The first rows, for the accounting. */
	readonly listed: Array<{ row: number; reason: string; message: string }> = [];
	readonly items: INodeExecutionData[] = [];
	private file: InvalidRowsFile | undefined;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly fields: FieldNames,
		private readonly maxItems: number,
	) {}

	/** Rows written to the file rather than output as items. */
	get inFile(): number {
		return this.file?.rows ?? 0;
	}

	add(row: InvalidRow): Promise<void> | undefined {
		const email = row.record ? ownValue(row.record, this.fields.email) : undefined;
		const json: IDataObject = { row: row.row, reason: row.reason, message: row.message, email: typeof email === 'string' ? email : null, profile: row.record ?? null };
		this.count++;
		this.byReason[row.reason] = (this.byReason[row.reason] ?? 0) + 1;
		if (this.listed.length < MAX_LISTED_INVALID_ROWS) this.listed.push({ row: row.row, reason: row.reason, message: row.message });
		if (this.items.length < this.maxItems) {
			this.items.push({ json, pairedItem: { item: row.itemIndex } });
			return undefined;
		}
		this.file ??= new InvalidRowsFile(this.context);
		return this.file.add(json);
	}

	/** The file's binary data, when rows went to it. */
	async finish(): Promise<Record<string, IBinaryData> | undefined> {
		return this.file ? await this.file.finish() : undefined;
	}
}

/** Where the invalid rows beyond the items are, when some are. */
function invalidFileHints(invalid: InvalidSink, onAccounting: boolean): string[] {
	if (!invalid.inFile) return [];
	const where = onAccounting ? 'on the accounting item (last item of Members)' : 'on the last item of Invalid';
	return [
		`${invalid.count.toLocaleString('en-US')} invalid rows: the first ${invalid.items.length.toLocaleString('en-US')} are items on Invalid, the other ${invalid.inFile.toLocaleString('en-US')} are in the NDJSON file "${INVALID_ROWS_PROPERTY}" ${where} (Options → Invalid Rows as Items)`,
	];
}

/**
 * The accounting item at the end of Members: a batch item without members (exporters send nothing for
 * it) carrying the counts as data, which exporters copy into their Summary as `segmentSource`.
 */
function accountingItem(segments: CompiledSegment[], tally: Tally, invalid: InvalidSink, invalidFile: Record<string, IBinaryData> | undefined): INodeExecutionData {
	const accounting: SourceAccounting = {
		rows: tally.rows,
		members: tally.members,
		merged: tally.merged,
		invalid: tally.invalid,
		notInAnySegment: tally.excluded,
		perSegment: Object.fromEntries(segments.map((segment, index) => [segment.name, tally.segmentCounts[index]])),
		invalidByReason: { ...invalid.byReason },
		invalidRows: invalid.listed,
		// Only when rows went to the invalid rows file (version 2), so version 1's accounting is unchanged.
		...(invalidFile ? { invalidRowsInFile: invalid.inFile } : {}),
	};
	return {
		json: { [MEMBER_BATCH_MARKER]: true, [SOURCE_ACCOUNTING_MARKER]: true, count: 0, members: [], accounting },
		...(invalidFile ? { binary: invalidFile } : {}),
		pairedItem: { item: 0 },
	};
}

interface Rows {
	count: number;
	/** Read once, in order. */
	rows: Iterable<SourceRow>;
	/** The first rows, to find the fields by name. */
	head: SourceRow[];
	/** For files: what reading decided, for the hints. */
	file?: { empty: boolean; csv?: CsvNotes };
}

function fromArray(rows: SourceRow[]): Rows {
	return { count: rows.length, rows, head: rows.slice(0, FIELD_DETECTION_ROWS) };
}

/** Header cells as shown in a hint: a few, each short (a guessed header may be a row of data). */
function quoteCells(cells: string[]): string {
	const shown = cells.slice(0, 5).map((cell) => `"${cell.length > 40 ? `${cell.slice(0, 40)}…` : cell}"`);
	return shown.join(', ') + (cells.length > 5 ? `, … (${cells.length} values)` : '');
}

/** What reading the file decided that the user should know: the header row it guessed, columns it renamed. */
function fileHints(file: Rows['file']): string[] {
	const hints: string[] = [];
	const header = file?.csv?.header;
	if (header?.guessed) {
		hints.push(
			`Line ${header.line} was taken as the header row (not a profile) because none of its values is an e-mail address or a number: ${quoteCells(header.cells)}. If it is data, set "CSV Header Row" to "No".`,
		);
	}
	const renamed = file?.csv?.renamed ?? [];
	if (renamed.length) {
		const shown = renamed.slice(0, 10).map(({ column, from, to }) => `column ${column} "${from}" → "${to}"`);
		hints.push(`The header repeats column names; renamed so no value is lost: ${shown.join(', ')}${renamed.length > 10 ? ` and ${renamed.length - 10} more` : ''}`);
	}
	return hints;
}

/** Version 2 recommends the Member File output where items would weigh on n8n's memory and saved executions. */
function outputHints(version: number, memberFile: boolean, members: number): string[] {
	if (version < 2 || memberFile || members <= MEMBER_FILE_ADVISED_ABOVE) return [];
	return [
		`${members.toLocaleString('en-US')} members as items: above ${MEMBER_FILE_ADVISED_ABOVE.toLocaleString('en-US')}, choose Options → Output → "Member File", which keeps n8n's memory and saved executions small`,
	];
}

/** Why there is no member, said plainly: an export that sends nothing must not look like one that worked. */
function whyNoMembers(tally: Tally, hasSegments: boolean, file: Rows['file']): string {
	if (file?.empty) return 'the file is empty';
	if (tally.rows === 0 && file?.csv?.header) return 'the file has a header row and no data rows';
	if (tally.rows === 0) return file ? 'the file holds no profiles' : 'the input holds no profiles';
	if (tally.invalid === tally.rows) return 'every row is invalid (see the Invalid output)';
	if (hasSegments && tally.excluded > 0) return 'no profile is in any segment';
	return 'no profile became a member';
}

/** Generated profiles are made one at a time as they are read, so a million never sit in memory twice. */
function* generated(size: number, withProblemRows: boolean): Generator<SourceRow> {
	for (let index = 0; index < size; index++) yield { record: sampleProfile(index, withProblemRows), itemIndex: 0, row: index + 1 };
}

/** What the first pass over a file or the generated sample learnt, and how to read the rows again. */
interface FirstPass {
	fields: FieldNames;
	/** Addresses in more than one valid row; undefined when no address can repeat. */
	repeated?: RepeatedEmails;
	/** The rows again, from the start, a few at a time. */
	batches: () => AsyncIterable<SourceRow[]> | Iterable<SourceRow[]>;
	file?: Rows['file'];
	/** How the file is named in messages. */
	fileLabel: string;
}

/** The rows of a reader that gives rows only (its onlyColumn never called). */
async function* rowBatches(batches: AsyncIterable<FileRow[] | ColumnValues>): AsyncGenerator<SourceRow[]> {
	for await (const batch of sourceBatches(batches)) if (Array.isArray(batch)) yield batch;
}

async function* sourceBatches<Values>(batches: AsyncIterable<FileRow[] | Values>): AsyncGenerator<SourceRow[] | Values> {
	for await (const batch of batches) yield Array.isArray(batch) ? batch.map((row: FileRow) => ({ record: row.record, problem: row.problem, itemIndex: 0, row: row.line })) : batch;
}

/** Generated profiles in batches as small as a file's. */
function* generatedBatches(size: number, withProblemRows: boolean): Generator<SourceRow[]> {
	let batch: SourceRow[] = [];
	for (const row of generated(size, withProblemRows)) {
		batch.push(row);
		if (batch.length === BATCH_ROWS) {
			yield batch;
			batch = [];
		}
	}
	if (batch.length) yield batch;
}

/**
 * A row kept to find the fields, copied: the reader's own row objects, kept, would be most of those
 * made so far when the first collection comes, and V8 would then make all later ones in old space.
 */
function keptCopy(row: SourceRow): SourceRow {
	return { ...row, record: row.record ? { ...row.record } : undefined };
}

/** Runs `work`, turning a file that cannot be read into the node's error, naming the file. */
async function readingFile(this: IExecuteFunctions, fileLabel: string, work: () => Promise<void>): Promise<void> {
	try {
		await work();
	} catch (error) {
		if (error instanceof UnreadableFile) {
			throw new NodeOperationError(this.getNode(), `Unreadable file "${fileLabel}": ${error.message}`, {
				description: error.advice ?? `Line ${error.line}, column ${error.column}. Nothing was read.`,
			});
		}
		// A NodeOperationError (a segment refused by n8n) comes back as it is.
		throw new NodeOperationError(this.getNode(), error as Error);
	}
}

/**
 * The first of two passes over a file or the generated sample, for the Member File output: reads
 * every row once to count them, find the fields, and note which e-mail addresses occur in more than
 * one valid row, keeping no row (the second pass writes the members). Fails as reading the whole
 * file at once would: unreadable file, too many profiles, no e-mail field.
 */
async function firstPass(this: IExecuteFunctions, source: 'file' | 'sample', maxProfiles: number): Promise<FirstPass> {
	const node = this.getNode();
	let batches: FirstPass['batches'];
	/** This pass's reading: once the fields are known, a CSV file gives only the e-mail field's values. */
	let firstBatches: () => AsyncIterable<SourceRow[] | ColumnValues> | Iterable<SourceRow[]>;
	let onlyColumn: ((name: string) => void) | undefined;
	let notes: { empty: boolean; csv?: CsvNotes } | undefined;
	let fileLabel = '';
	if (source === 'sample') {
		const size = this.getNodeParameter('sampleSize', 0, SAMPLE_SIZE) as number;
		if (!Number.isInteger(size) || size < 1 || size > MAX_GENERATED_PROFILES) {
			throw new NodeOperationError(node, `"Number of Profiles" must be a whole number from 1 to ${MAX_GENERATED_PROFILES.toLocaleString('en-US')}`);
		}
		const withProblemRows = this.getNodeParameter('sampleProblemRows', 0, true) as boolean;
		batches = firstBatches = () => generatedBatches(size, withProblemRows);
		if (!withProblemRows) {
			// Every generated profile is then valid and unique: one pass is enough.
			if (size > maxProfiles) throw tooManyProfiles(node, size, maxProfiles);
			return { fields: resolveFields.call(this, [...generated(Math.min(size, FIELD_DETECTION_ROWS), false)]), batches, fileLabel };
		}
	} else {
		const binaryProperty = String(this.getNodeParameter('binaryProperty', 0, 'data'));
		const binary = this.helpers.assertBinaryData(0, binaryProperty);
		fileLabel = binary.fileName ?? binaryProperty;
		const id = binary.id;
		let size = binary.bytes;
		if (size === undefined) size = id ? (await this.helpers.getBinaryMetadata(id)).fileSize : (await this.helpers.getBinaryDataBuffer(0, binaryProperty)).length;
		if (size > maxProfiles * 4096) {
			throw new NodeOperationError(node, `The file is ${Math.round(size / 1_048_576)} MB, too large for ${maxProfiles.toLocaleString('en-US')} profiles`);
		}
		const open: ByteSource = async () => {
			if (id) return (await this.helpers.getBinaryStream(id)) as unknown as AsyncIterable<Uint8Array>;
			// Binary data kept in the item (n8n's default mode): it is in memory already; read it in slices.
			const buffer = await this.helpers.getBinaryDataBuffer(0, binaryProperty);
			return (async function* () {
				for (let start = 0; start < buffer.length; start += 1_048_576) yield buffer.subarray(start, start + 1_048_576);
			})();
		};
		const text = decodeStream(open, this.getNodeParameter('fileEncoding', 0, 'utf-8') as FileEncoding, maxProfiles * 4096);
		const format = this.getNodeParameter('fileFormat', 0, 'auto') as FileFormat;
		const header = this.getNodeParameter('csvHeader', 0, 'auto') as HeaderMode;
		const delimiter = String(this.getNodeParameter('csvDelimiter', 0, 'auto'));
		batches = () => {
			const read = readFileStream(text, format, header, delimiter, binary.fileName);
			notes = read.notes;
			return rowBatches(read.batches);
		};
		firstBatches = () => {
			const read = readFileStream(text, format, header, delimiter, binary.fileName);
			notes = read.notes;
			onlyColumn = read.onlyColumn;
			return sourceBatches(read.batches);
		};
	}

	let count = 0;
	const head: SourceRow[] = [];
	let fields: FieldNames | undefined;
	let fieldsError: NodeOperationError | undefined;
	const repeated = new RepeatedEmails();
	const note = (row: SourceRow) => {
		if (!fields) return;
		const checked = checkRow(row, fields);
		if (!('invalid' in checked)) repeated.add(checked.email);
	};
	const decideFields = () => {
		try {
			fields = resolveFields.call(this, head);
		} catch (error) {
			fieldsError = error instanceof NodeOperationError ? error : new NodeOperationError(node, error as Error);
		}
		for (const row of head) note(row);
	};
	await readingFile.call(this, fileLabel, async () => {
		for await (const batch of firstBatches()) {
			if (!Array.isArray(batch)) {
				// As note() on the rows: a CSV value is text, so checkRow's only test is the address.
				for (const value of batch.values) {
					count++;
					if (value === null || !fields) continue;
					const check = checkEmail(value, fields.email);
					if (check.ok) repeated.add(check.email);
				}
				continue;
			}
			for (const row of batch) {
				count++;
				if (head.length < FIELD_DETECTION_ROWS) {
					head.push(keptCopy(row));
					if (head.length === FIELD_DETECTION_ROWS) {
						decideFields();
						if (fields) onlyColumn?.(fields.email);
					}
				} else note(row);
			}
		}
	});
	if (head.length < FIELD_DETECTION_ROWS) decideFields();
	if (count > maxProfiles) throw tooManyProfiles(node, count, maxProfiles);
	if (fieldsError) throw fieldsError;
	if (!fields) throw new NodeOperationError(node, 'The profile fields could not be found');
	const file = notes ? { empty: notes.empty, csv: notes.csv } : undefined;
	return { fields, repeated, batches, file, fileLabel };
}

/** Rows from the chosen source, each with the row number people will see. */
async function readRows(this: IExecuteFunctions, source: 'items' | 'file' | 'sample', maxProfiles: number): Promise<Rows> {
	const node = this.getNode();
	if (source === 'sample') {
		const size = this.getNodeParameter('sampleSize', 0, SAMPLE_SIZE) as number;
		if (!Number.isInteger(size) || size < 1 || size > MAX_GENERATED_PROFILES) {
			throw new NodeOperationError(node, `"Number of Profiles" must be a whole number from 1 to ${MAX_GENERATED_PROFILES.toLocaleString('en-US')}`);
		}
		const withProblemRows = this.getNodeParameter('sampleProblemRows', 0, true) as boolean;
		const head = [...generated(Math.min(size, FIELD_DETECTION_ROWS), withProblemRows)];
		return { count: size, rows: generated(size, withProblemRows), head };
	}
	const items = this.getInputData();
	if (source === 'items') return fromArray(items.map((item, itemIndex) => ({ record: item.json, itemIndex, row: itemIndex + 1 })));

	const binaryProperty = String(this.getNodeParameter('binaryProperty', 0, 'data'));
	const binary = this.helpers.assertBinaryData(0, binaryProperty);
	const buffer = await this.helpers.getBinaryDataBuffer(0, binaryProperty);
	if (buffer.length > maxProfiles * 4096) {
		throw new NodeOperationError(node, `The file is ${Math.round(buffer.length / 1_048_576)} MB, too large for ${maxProfiles.toLocaleString('en-US')} profiles`);
	}
	try {
		const text = await decodeFile(buffer, this.getNodeParameter('fileEncoding', 0, 'utf-8') as FileEncoding, maxProfiles * 4096);
		const read = readFileWithNotes(
			text,
			this.getNodeParameter('fileFormat', 0, 'auto') as FileFormat,
			this.getNodeParameter('csvHeader', 0, 'auto') as HeaderMode,
			String(this.getNodeParameter('csvDelimiter', 0, 'auto')),
			binary.fileName,
		);
		return { ...fromArray(read.rows.map((row) => ({ record: row.record, problem: row.problem, itemIndex: 0, row: row.line }))), file: { empty: read.empty, csv: read.csv } };
	} catch (error) {
		if (error instanceof UnreadableFile) {
			throw new NodeOperationError(node, `Unreadable file "${binary.fileName ?? binaryProperty}": ${error.message}`, {
				description: error.advice ?? `Line ${error.line}, column ${error.column}. Nothing was read.`,
			});
		}
		throw new NodeOperationError(node, error as Error);
	}
}

interface Tally {
	rows: number;
	members: number;
	merged: number;
	invalid: number;
	excluded: number;
	segmentCounts: number[];
	memberKeys: Set<string>;
	comparisonErrors: string[];
	counts: { phonesNotNormalised: number; countriesNotRecognised: number };
}

/** The execution hints: every row accounted for, per-segment counts, and anything that needs a look. */
function hintsFor(segments: CompiledSegment[], tally: Tally): string[] {
	const perSegment = segments.map((segment, index) => `${segment.name}: ${tally.segmentCounts[index]}`).join(', ');
	const hints = [
		`Rows in: ${tally.rows} = members ${tally.members} + merged duplicates ${tally.merged} + invalid ${tally.invalid}` +
			(segments.length ? ` + in no segment ${tally.excluded}` : '') +
			(perSegment ? `. Per segment: ${perSegment}` : ''),
	];
	for (const segment of segments) {
		if (segment.fallbackReason) hints.push(`Segment "${segment.name}" is evaluated per input item by n8n (slower): ${segment.fallbackReason}`);
		const missing = [...new Set(segment.fields)].filter((field) => !tally.memberKeys.has(field));
		if (missing.length && tally.members + tally.excluded > 0) hints.push(`Segment "${segment.name}" refers to ${missing.map((f) => `"${f}"`).join(', ')}, which no profile has`);
	}
	if (tally.comparisonErrors.length) hints.push(`${tally.comparisonErrors.length} comparisons failed and counted as "not in segment"; first: ${tally.comparisonErrors[0]}`);
	if (tally.counts.phonesNotNormalised) hints.push(`${tally.counts.phonesNotNormalised} phone numbers could not be made E.164 and were left as they were`);
	if (tally.counts.countriesNotRecognised) hints.push(`${tally.counts.countriesNotRecognised} country names were not recognised and were left as they were`);
	return hints;
}

function readSegments(this: IExecuteFunctions, source: 'items' | 'file' | 'sample'): CompiledSegment[] {
	const node = this.getNode();
	const raw = this.getNodeParameter('segments.segment', 0, [], { rawExpressions: true }) as Array<{ name?: string; conditions?: FilterValue }>;
	const names = new Set<string>();
	return raw.map((entry, index) => {
		const name = String(entry.name ?? '').trim();
		if (!name) throw new NodeOperationError(node, `Segment ${index + 1} has no name`);
		if (names.has(name)) throw new NodeOperationError(node, `Two segments are named "${name}"`);
		names.add(name);
		const segment = compileSegment(name, entry.conditions);
		if (segment.refusal) {
			throw new NodeOperationError(node, segment.refusal, { description: `Segment "${name}": n8n's expressions do not read this name, in the If and Filter nodes as here.` });
		}
		if (!segment.test && source !== 'items') {
			throw new NodeOperationError(node, `Segment "${name}": ${segment.fallbackReason}`, {
				description: 'Profiles that are not input items can only be tested with plain field references.',
			});
		}
		return segment;
	});
}

function inSegment(
	this: IExecuteFunctions,
	segment: CompiledSegment,
	index: number,
	member: IDataObject,
	itemIndex: number,
	errors: string[],
): boolean {
	try {
		if (segment.test) return segment.test(member);
		// Fallback: n8n evaluates the conditions against the profile's first input item.
		return this.getNodeParameter(`segments.segment[${index}].conditions`, itemIndex, false, { extractValue: true }) === true;
	} catch (error) {
		// n8n's refusal of prototype access fails the node, as it does in the If and Filter nodes.
		if (/ due to security concerns$/.test((error as Error).message)) throw new NodeOperationError(this.getNode(), (error as Error).message);
		errors.push(`segment "${segment.name}": ${(error as Error).message}`);
		return false;
	}
}
