import type { IExecuteFunctions, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_JOB_STALL_MS } from './engine/retryPolicy';
import { DEFAULT_MAX_REJECTED_ITEMS, REJECTED_FILE_PROPERTY } from './engine/rejectedFile';
import { DEFAULT_MAX_CONTACTS } from './engine/run';

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
