import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fieldNameKey } from './mapping';

/** A standard field of a destination and the member field it is filled from by default. */
export interface StandardField {
	/** Parameter name, e.g. "firstName". */
	key: string;
	displayName: string;
	/** Segment Source member field (contract) the value comes from unless the user names another. */
	defaultSource: string;
}

/**
 * "Field Mapping": which input field fills each standard field of the destination. Defaults are the
 * Segment Source member fields, so Segment Source → exporter needs no mapping at all.
 */
export function fieldMapProperty(serviceName: string, fields: StandardField[]): INodeProperties {
	return {
		displayName: 'Field Mapping',
		name: 'fieldMap',
		type: 'collection',
		placeholder: 'Change an input field',
		default: {},
		description: `Input field that fills each ${serviceName} field. Unchanged, Segment Source member fields are used (${fields.map((f) => f.defaultSource).join(', ')}); an empty name sends nothing for that field.`,
		options: fields.map((field) => ({
			displayName: `${field.displayName} Field`,
			name: field.key,
			type: 'string' as const,
			default: field.defaultSource,
		})),
	};
}

/** The input field chosen for each standard field ('' = do not send). */
export function readFieldMap(context: IExecuteFunctions, fields: StandardField[]): Record<string, string> {
	const chosen = context.getNodeParameter('fieldMap', 0, {}) as IDataObject;
	const map: Record<string, string> = {};
	for (const field of fields) {
		const value = chosen[field.key];
		map[field.key] = typeof value === 'string' ? value.trim() : field.defaultSource;
	}
	return map;
}

/** "Custom Fields": explicit pairs of a destination custom field (listed from the API) and an input field. */
export function customFieldsProperty(loadOptionsMethod: string, loadOptionsDependsOn: string[] = []): INodeProperties {
	return {
		displayName: 'Custom Fields',
		name: 'customFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add custom field',
		default: {},
		description: 'Fill custom fields from input fields. Fields whose names match are also mapped automatically (see options).',
		options: [
			{
				displayName: 'Mapping',
				name: 'mapping',
				values: [
					{
						displayName: 'Custom Field Name or ID',
						name: 'key',
						type: 'options',
						typeOptions: { loadOptionsMethod, loadOptionsDependsOn },
						default: '',
						description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Input Field',
						name: 'sourceField',
						type: 'string',
						default: '',
						placeholder: 'loyaltyTier',
						description: 'Name of the input field holding the value',
					},
				],
			},
		],
	};
}

export interface CustomFieldMapping {
	key: string;
	sourceField: string;
}

export function readCustomFieldMappings(context: IExecuteFunctions): CustomFieldMapping[] {
	const mappings = context.getNodeParameter('customFields.mapping', 0, []) as Array<Partial<CustomFieldMapping>>;
	return mappings.map(({ key, sourceField }) => ({ key: String(key ?? '').trim(), sourceField: String(sourceField ?? '').trim() }));
}

/** The option every exporter with custom fields has. */
export const autoMapCustomFieldsOption: INodeProperties = {
	displayName: 'Map Custom Fields by Name',
	name: 'autoMapCustomFields',
	type: 'boolean',
	default: true,
	description: 'Whether input fields named like a custom field (e.g. "loyaltyTier" and "Loyalty Tier") fill it without an explicit mapping',
};

/**
 * Decides, once per run, which input fields fill which custom fields of the destination: explicit
 * mappings first, then (optionally) input fields whose names match a custom field loosely. Input
 * field names are matched once each and cached, so per-record work is a map lookup per field.
 */
export class CustomFieldMatcher<Field> {
	private readonly explicit: Array<{ field: Field; sourceField: string }> = [];

	private readonly byLooseName = new Map<string, Field>();

	private readonly cache = new Map<string, Field | null>();

	constructor(
		context: IExecuteFunctions,
		fields: Field[],
		describe: (field: Field) => { id: string; names: string[] },
		mappings: CustomFieldMapping[],
		autoMap: boolean,
		/** Input fields already sent as standard fields: never matched again. */
		private readonly usedSources: Set<string>,
		/** What holds the custom fields, for messages: "list", "account". */
		owner = 'account',
	) {
		const node = context.getNode();
		const byId = new Map<string, Field>();
		for (const field of fields) {
			const { id, names } = describe(field);
			byId.set(id.toLowerCase(), field);
			for (const name of names) byId.set(name.toLowerCase(), field);
		}
		const mapped = new Set<Field>();
		for (const { key, sourceField } of mappings) {
			const field = byId.get(key.toLowerCase()) ?? byId.get(`[${key.toLowerCase()}]`);
			if (!field) {
				throw new NodeOperationError(node, `The ${owner} has no custom field "${key}"`, {
					description: `Custom fields: ${fields.map((f) => describe(f).names[0]).join(', ') || 'none'}. Nothing was sent.`,
				});
			}
			if (!sourceField) throw new NodeOperationError(node, `Custom field "${describe(field).names[0]}" is mapped from an empty field name`);
			mapped.add(field);
			this.explicit.push({ field, sourceField });
		}
		if (autoMap) {
			for (const field of fields) {
				if (mapped.has(field)) continue;
				for (const name of [describe(field).id, ...describe(field).names]) this.byLooseName.set(fieldNameKey(name), field);
			}
		}
	}

	/** Calls `use` for each custom field this record fills, with the raw input value. */
	forEach(record: IDataObject, use: (field: Field, value: unknown) => void): void {
		for (const { field, sourceField } of this.explicit) {
			if (record[sourceField] !== undefined) use(field, record[sourceField]);
		}
		if (this.byLooseName.size === 0) return;
		for (const name of Object.keys(record)) {
			let field = this.cache.get(name);
			if (field === undefined) {
				field = this.usedSources.has(name) ? null : (this.byLooseName.get(fieldNameKey(name)) ?? null);
				this.cache.set(name, field);
			}
			if (field !== null) use(field, record[name]);
		}
	}
}

/** Fixed tags every exporter that tags contacts offers (ActiveCampaign, Omnisend). */
export const tagsProperty: INodeProperties = {
	displayName: 'Tags',
	name: 'tags',
	type: 'string',
	default: '',
	placeholder: 'n8n-export, spring-campaign',
	description: 'Comma-separated tags added to every exported contact',
};

/** The segment names of a member (Segment Source's `segments` field), trimmed: what segment tags are made of. */
export function segmentsOf(record: IDataObject): string[] {
	const segments = record.segments;
	if (!Array.isArray(segments)) return [];
	return segments.filter((segment): segment is string => typeof segment === 'string' && segment.trim() !== '').map((segment) => segment.trim());
}

/** Tags for a member: its segment names (when asked) plus fixed tags from the node. */
export function tagsFor(record: IDataObject, withSegments: boolean, fixedTags: string[]): string[] | undefined {
	const tags = new Set([...fixedTags, ...(withSegments ? segmentsOf(record) : [])]);
	return tags.size ? [...tags] : undefined;
}

/** Comma-separated tags from a parameter. */
export function parseTagList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((tag) => tag.trim())
		.filter(Boolean);
}

/** Version 2: the defaults of "Field Mapping" shown in a notice, since an empty collection reads "No properties". */
export function fieldMapNotice(serviceName: string, fields: StandardField[]): INodeProperties {
	return {
		displayName: `${serviceName} fields are filled from these input fields unless you change them below: ${fields
			.map((field) => `${field.displayName} ← ${field.defaultSource}`)
			.join(', ')}. An empty input field name sends nothing for that field.`,
		name: 'fieldMapNotice',
		type: 'notice',
		default: '',
	};
}
