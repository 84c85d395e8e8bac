import type { IExecuteFunctions, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_JOB_STALL_MS } from './engine/retryPolicy';
import { DEFAULT_MAX_REJECTED_ITEMS, REJECTED_FILE_PROPERTY } from './engine/rejectedFile';
import { DEFAULT_MAX_CONTACTS } from './engine/run';
import { DEFAULT_MAX_REMOVAL_PERCENT } from './engine/sync';

/** The acknowledgement Dynamics 365 Customer Insights asks for before personal data leaves: required, off by default. */
export function privacyAcknowledgement(serviceName: string): INodeProperties {
	return {
		displayName: `I confirm this personal data may be sent to ${serviceName}`,
		name: 'privacyAcknowledged',
		type: 'boolean',
		default: false,
		required: true,
		description: `Whether you confirm that the contacts' personal data may leave this workflow for ${serviceName}, under your data-protection obligations. The node does not run until this is on.`,
	};
}

export function emailFieldProperty(): INodeProperties {
	return {
		displayName: 'Email Field',
		name: 'emailField',
		type: 'string',
		default: 'email',
		required: true,
		description: 'Name of the input field that holds the e-mail address (Segment Source members have "email")',
	};
}

/** The "Email Field" parameter, which must name a field. */
export function readEmailField(context: IExecuteFunctions): string {
	const emailField = String(context.getNodeParameter('emailField', 0, 'email')).trim();
	if (!emailField) {
		throw new NodeOperationError(context.getNode(), 'Parameter "Email Field" is empty: name the input field holding the e-mail address');
	}
	return emailField;
}

/** Options every exporter has; `extra` adds the service's own. */
export function exportOptions(maxBatchSize: number, extra: INodeProperties[]): INodeProperties {
	const options: INodeProperties[] = [
		...extra,
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: maxBatchSize },
			default: maxBatchSize,
			description: `Contacts per bulk request (at most ${maxBatchSize}); requests are also kept under the service's size limit`,
		},
		{
			displayName: 'Long Values',
			name: 'longValues',
			type: 'options',
			options: [
				{ name: 'Reject the Contact', value: 'reject', description: 'The contact goes to Rejected with reason field_too_long' },
				{ name: 'Truncate and Count', value: 'truncate', description: 'The value (or list of tags) is cut to the limit; the Summary counts truncated values' },
			],
			default: 'reject',
			description: 'What to do with a value longer than the service documents it takes. Fields without a documented limit are sent whole, and a refusal by the service becomes the contact\'s reason.',
		},
		{
			displayName: 'Max Contacts per Run',
			name: 'maxContacts',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_MAX_CONTACTS,
			description: 'The node fails before sending anything when more contacts arrive',
		},
		{
			displayName: 'Max Rejected Items',
			name: 'maxRejectedItems',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: DEFAULT_MAX_REJECTED_ITEMS,
			description: `Contacts not exported (rejected, skipped or not sent) beyond this many are listed in a CSV file on the Summary item (binary property "${REJECTED_FILE_PROPERTY}") instead of as items on the Rejected output, which keeps large runs' saved executions small. 0 lists them all in the file.`,
			// Version 1 lists every contact on the Rejected output, as documented.
			displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
		},
	];
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** For services that process imports as jobs: how long jobs may show no progress before the run stops following them. */
export const jobTimeoutOption: INodeProperties = {
	displayName: 'Job Timeout (Minutes)',
	name: 'jobTimeoutMinutes',
	type: 'number',
	typeOptions: { minValue: 0.01 },
	default: DEFAULT_JOB_STALL_MS / 60_000,
	description: 'The service processes imports as jobs. When none of them ends or advances for this long, the export stops following them and reports their contacts as unconfirmed (they may still arrive).',
};

/** Inputs, outputs and defaults shared by the exporter nodes. */
export const exporterConnections: Pick<INodeTypeDescription, 'inputs' | 'outputs' | 'outputNames'> = {
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
	outputNames: ['Summary', 'Rejected'],
};

/**
 * Version 2's privacy acknowledgement: a label short enough for the default panel width, naming the
 * service, and the full text in a notice above it. Same parameter name and meaning as version 1.
 */
export function privacyAcknowledgementV2(serviceName: string): INodeProperties[] {
	return [
		{
			displayName: `Personal data leaves this workflow for ${serviceName}. Turn on "Send to ${serviceName}" to confirm it may, under your data-protection obligations (consent, contracts, the people's rights). The node does not run until it is on.`,
			name: 'privacyNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: `Send to ${serviceName}`,
			name: 'privacyAcknowledged',
			type: 'boolean',
			default: false,
			required: true,
			description: `Whether you confirm that the contacts' personal data may be sent to ${serviceName}`,
		},
	];
}

/** A single list: chosen from the account's lists, or by ID. */
export function listLocator(options: { displayName: string; name: string; description: string; searchListMethod: string; idPlaceholder: string; idHint: string }): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: options.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: options.idPlaceholder,
				hint: options.idHint,
			},
		],
	};
}

/** Several lists: a collection of list pickers (from list / by ID), one shown from the start. */
export function listsCollection(options: { description: string; searchListMethod: string; idPlaceholder: string; idHint: string; max?: number }): INodeProperties {
	return {
		displayName: 'Lists',
		name: 'lists',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, ...(options.max ? { maxAllowedFields: options.max } : {}) },
		placeholder: 'Add list',
		required: true,
		default: { list: [{ list: { __rl: true, mode: 'list', value: '' } }] },
		description: options.description,
		options: [
			{
				displayName: 'List',
				name: 'list',
				values: [
					listLocator({
						displayName: 'List',
						name: 'list',
						description: 'A list the contacts are added to',
						searchListMethod: options.searchListMethod,
						idPlaceholder: options.idPlaceholder,
						idHint: options.idHint,
					}),
				],
			},
		],
	};
}

/**
 * Version 2's operations, as n8n's Remove Duplicates node has them: the export, or Reset Sync State,
 * which empties this node's sync state once, in the run it is chosen for.
 */
const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Export', value: 'export', action: 'Export contacts', description: 'Send the segment\'s contacts' },
		{
			name: 'Reset Sync State',
			value: 'resetSyncState',
			action: 'Reset sync state',
			description: 'Forget what earlier runs sent (Changed Only, Mirror): the next export sends everything and removes nothing. Sends nothing.',
		},
	],
	default: 'export',
};

/** Sync Mode and Dry Run; `mirrorRefusal` says why the service cannot mirror, where it cannot. */
function syncProperties(serviceName: string, mirrorRefusal?: string): INodeProperties[] {
	const modes = [
		{ name: 'Upsert All', value: 'upsertAll', description: 'Send every contact on every run (no state kept)' },
		{ name: 'Changed Only', value: 'changedOnly', description: 'Send only contacts that are new or whose data changed since the last run that confirmed them' },
	];
	if (!mirrorRefusal) {
		modes.push({
			name: 'Mirror',
			value: 'mirror',
			description: `Changed Only, plus take contacts this node added earlier out of the ${serviceName} target when they leave the segment (never as an opt-out)`,
		});
	}
	return [
		{
			displayName: 'Sync Mode',
			name: 'syncMode',
			type: 'options',
			noDataExpression: true,
			options: modes,
			default: 'upsertAll',
			description: `How each run relates to the earlier ones. What earlier runs confirmed is kept with n8n's deduplication data for this node.${mirrorRefusal ? ` Mirror is not offered for ${serviceName}: ${mirrorRefusal}` : ''}`,
		},
		{
			displayName: 'Dry Run',
			name: 'dryRun',
			type: 'boolean',
			default: false,
			description: 'Whether to only work out what would be sent, left unchanged and removed, in a file on the Summary item, without writing anything to the service or to the sync state',
			displayOptions: { show: { syncMode: ['changedOnly', 'mirror'] } },
		},
	];
}

/** Options of the Sync Modes, for exportOptions' `extra`. */
export const syncOptions: INodeProperties[] = [
	{
		displayName: 'Full Re-send Every N Runs',
		name: 'fullResendEvery',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'With Changed Only or Mirror: every Nth run sends every contact again, repairing changes others made at the service. 0 never does.',
	},
	{
		displayName: 'Max Removal (%)',
		name: 'maxRemovalPercent',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 100 },
		default: DEFAULT_MAX_REMOVAL_PERCENT,
		description: 'Mirror refuses, before writing anything, to remove more than this share of the contacts it manages at the target in one run (an empty or partial input looks like everyone left)',
	},
];

/**
 * A version 2 exporter's properties: the operation first, then the export's own (shown for Export
 * only) with Sync Mode and Dry Run placed before the options, which come last.
 */
export function withSyncModes(properties: INodeProperties[], serviceName: string, mirrorRefusal?: string): INodeProperties[] {
	const forExport = (property: INodeProperties): INodeProperties => ({
		...property,
		displayOptions: { ...property.displayOptions, show: { ...property.displayOptions?.show, operation: ['export'] } },
	});
	const options = properties[properties.length - 1];
	return [operationProperty, ...[...properties.slice(0, -1), ...syncProperties(serviceName, mirrorRefusal), options].map(forExport)];
}
