import type { FilterValue, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { ProfileField } from './profileFields';
import { PROFILE_FIELDS, resolveFieldNames } from './profileFields';
import { MAX_GENERATED_PROFILES, SAMPLE_SIZE, sampleProfiles } from './sampleProfiles';
import type { CompiledSegment } from './segments';
import { compileSegment } from './segments';
import type { SourceRow } from './unify';
import { toMember, unifyProfiles } from './unify';

/** Rows whose keys are read to find which fields hold e-mail, names and address parts. */
const FIELD_DETECTION_ROWS = 100;

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
		version: 1,
		subtitle: '={{$parameter["source"] === "sample" ? "bundled sample" : "incoming items"}}',
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
					{ name: 'Bundled Sample Profiles', value: 'sample', description: 'Synthetic profiles for trying the nodes out, some invalid or duplicated' },
				],
				default: 'items',
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
							},
						],
					},
				],
			},
			{
				displayName: 'Profile Fields',
				name: 'profileFields',
				type: 'collection',
				placeholder: 'Set field name',
				default: {},
				description: 'Input field holding each part of the profile. Unset fields are found by name (e.g. "Email", "email_address", "zip").',
				options: PROFILE_FIELDS.map((field) => ({
					displayName: `${FIELD_LABELS[field]} Field`,
					name: field,
					type: 'string' as const,
					default: field,
				})),
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		const items = this.getInputData();
		const source = this.getNodeParameter('source', 0) as 'items' | 'sample';

		let rows: SourceRow[];
		if (source === 'sample') {
			const size = this.getNodeParameter('sampleSize', 0, SAMPLE_SIZE) as number;
			if (!Number.isInteger(size) || size < 1 || size > MAX_GENERATED_PROFILES) {
				throw new NodeOperationError(node, `"Number of Profiles" must be a whole number from 1 to ${MAX_GENERATED_PROFILES.toLocaleString('en-US')}`);
			}
			rows = sampleProfiles(size).map((record) => ({ record, itemIndex: 0 }));
		} else {
			rows = items.map((item, itemIndex) => ({ record: item.json, itemIndex }));
		}

		const explicit = this.getNodeParameter('profileFields', 0, {}) as Partial<Record<ProfileField, string>>;
		const fields = resolveFieldNames(explicit, rows.slice(0, FIELD_DETECTION_ROWS).map((row) => row.record));
		if (rows.length && !rows.slice(0, FIELD_DETECTION_ROWS).some((row) => fields.email in row.record)) {
			throw new NodeOperationError(node, `No e-mail field found: the input has no field "${fields.email}"`, {
				description: 'Set "Profile Fields → Email Field" to the name of the field holding the e-mail address.',
			});
		}

		const segments = readSegments.call(this, source);
		const { profiles, invalid, merged } = unifyProfiles(rows, fields);

		const members: INodeExecutionData[] = [];
		const segmentCounts = segments.map(() => 0);
		const comparisonErrors: string[] = [];
		let excluded = 0;
		const pairedFor = (itemIndexes: number[]) => (source === 'items' ? itemIndexes.map((item) => ({ item })) : { item: 0 });
		const memberKeys = new Set<string>();
		for (const profile of profiles) {
			const member = toMember(profile, fields);
			if (memberKeys.size === 0 || members.length < FIELD_DETECTION_ROWS) for (const key of Object.keys(member)) memberKeys.add(key);
			const memberSegments: string[] = [];
			for (const [index, segment] of segments.entries()) {
				if (inSegment.call(this, segment, index, member, profile.itemIndexes[0], comparisonErrors)) {
					memberSegments.push(segment.name);
					segmentCounts[index]++;
				}
			}
			if (segments.length && memberSegments.length === 0) {
				excluded++;
				continue;
			}
			member.segments = memberSegments;
			members.push({ json: member, pairedItem: pairedFor(profile.itemIndexes) });
		}

		const invalidItems: INodeExecutionData[] = invalid.map((row) => ({
			json: {
				row: row.row,
				reason: row.reason,
				message: row.message,
				email: typeof row.record[fields.email] === 'string' ? row.record[fields.email] : null,
				profile: row.record,
			},
			pairedItem: { item: row.itemIndex },
		}));

		const perSegment = segments.map((segment, index) => `${segment.name}: ${segmentCounts[index]}`).join(', ');
		const hints = [
			`Rows in: ${rows.length} = members ${members.length} + merged duplicates ${merged} + invalid ${invalid.length}` +
				(segments.length ? ` + in no segment ${excluded}` : '') +
				(perSegment ? `. Per segment: ${perSegment}` : ''),
		];
		for (const segment of segments) {
			if (segment.fallbackReason) hints.push(`Segment "${segment.name}" is evaluated per input item by n8n (slower): ${segment.fallbackReason}`);
			const missing = [...new Set(segment.fields)].filter((field) => !memberKeys.has(field));
			if (missing.length && profiles.length) hints.push(`Segment "${segment.name}" refers to ${missing.map((f) => `"${f}"`).join(', ')}, which no profile has`);
		}
		if (comparisonErrors.length) hints.push(`${comparisonErrors.length} comparisons failed and counted as "not in segment"; first: ${comparisonErrors[0]}`);
		this.addExecutionHints(...hints.map((message) => ({ message, location: 'outputPane' as const })));

		return [members, invalidItems];
	}
}

function readSegments(this: IExecuteFunctions, source: 'items' | 'sample'): CompiledSegment[] {
	const node = this.getNode();
	const raw = this.getNodeParameter('segments.segment', 0, [], { rawExpressions: true }) as Array<{ name?: string; conditions?: FilterValue }>;
	const names = new Set<string>();
	return raw.map((entry, index) => {
		const name = String(entry.name ?? '').trim();
		if (!name) throw new NodeOperationError(node, `Segment ${index + 1} has no name`);
		if (names.has(name)) throw new NodeOperationError(node, `Two segments are named "${name}"`);
		names.add(name);
		const segment = compileSegment(name, entry.conditions);
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
		errors.push(`segment "${segment.name}": ${(error as Error).message}`);
		return false;
	}
}
