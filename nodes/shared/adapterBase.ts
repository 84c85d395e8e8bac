import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ContactFailure, DestinationLimits, DestinationRequest } from './adapter';
import type { RejectionReason } from './contact';
import { jsonEnvelope } from './mapping';

/** Who a destination is: written once per service (in its transport file) and shared by its adapter and node. */
export interface DestinationIdentity {
	/** Summary `destination`, e.g. "campaignMonitor". */
	destination: string;
	serviceName: string;
	credentialType: string;
	limits: DestinationLimits;
}

/** What one export needs of the node's parameters to build an adapter's common part. */
export interface AdapterSetup {
	context: IExecuteFunctions;
	baseUrl: string;
	/** Summary `target`. */
	target: string;
	emailField: string;
	/** Path of the bulk request, relative to the base URL. */
	importPath: string;
	/** The bulk request's body without contacts, and the key of its contact array. */
	envelope: { body: IDataObject; arrayKey: string };
}

/**
 * The part of every adapter that is the same: identity, the fields every export has, and the bulk
 * request built around contacts serialized once (prefix + contacts joined by commas + suffix).
 */
export abstract class EnvelopeAdapter {
	readonly destination: string;

	readonly serviceName: string;

	readonly credentialType: string;

	readonly limits: DestinationLimits;

	readonly baseUrl: string;

	readonly target: string;

	readonly emailField: string;

	protected readonly context: IExecuteFunctions;

	private readonly importPath: string;

	private readonly envelope: { prefix: string; suffix: string };

	constructor(identity: DestinationIdentity, setup: AdapterSetup) {
		this.destination = identity.destination;
		this.serviceName = identity.serviceName;
		this.credentialType = identity.credentialType;
		this.limits = identity.limits;
		this.context = setup.context;
		this.baseUrl = setup.baseUrl;
		this.target = setup.target;
		this.emailField = setup.emailField;
		this.importPath = setup.importPath;
		this.envelope = jsonEnvelope(setup.envelope.body, setup.envelope.arrayKey);
	}

	buildBatchRequest(contactsJson: string): DestinationRequest {
		return { method: 'POST', path: this.importPath, body: `${this.envelope.prefix}${contactsJson}${this.envelope.suffix}` };
	}
}

/** A contact the service named in its answer, by address. */
export interface NamedFailure {
	email: unknown;
	message: string;
	reason?: RejectionReason;
}

/**
 * Matches failures the service names by e-mail address to the contacts of the request (`emails`, in
 * order). Addresses compare trimmed and lower-cased; unknown addresses and repeats are ignored, so a
 * contact is never failed twice nor an innocent one failed for another.
 */
export function failuresByEmail(emails: readonly string[], named: Iterable<NamedFailure>): ContactFailure[] {
	const positions = new Map(emails.map((email, position) => [email, position]));
	const failures: ContactFailure[] = [];
	for (const { email, message, reason } of named) {
		const key = (typeof email === 'string' ? email : '').trim().toLowerCase();
		const position = positions.get(key);
		if (position === undefined) continue;
		positions.delete(key);
		failures.push({ position, reason: reason ?? 'rejected_by_destination', message });
	}
	return failures;
}

/** Fails before anything is sent when a chosen list is not among the account's lists. */
export function checkListsExist(node: INode, serviceName: string, wanted: ReadonlyArray<string | number>, known: ReadonlySet<string>, hint: string): void {
	const unknown = wanted.find((id) => !known.has(String(id)));
	if (unknown === undefined) return;
	const shown = typeof unknown === 'number' ? String(unknown) : `"${unknown}"`;
	throw new NodeOperationError(node, `${serviceName} has no list with ID ${shown}`, { description: `${hint} Nothing was sent.` });
}
