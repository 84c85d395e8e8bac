import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import type { RejectionReason } from './contact';

/** What a service allows per request and per unit of time. Every number names its source where it is defined. */
export interface DestinationLimits {
	/** Contacts in one bulk request. */
	maxContactsPerRequest: number;
	/** Serialized request body, in bytes, that must never be reached. */
	maxBytesPerRequest: number;
	/** Published request rates for the account (all requests); omitted where the service publishes none. */
	requestsPerSecond?: number;
	requestsPerMinute?: number;
	/** A separate, lower rate for bulk import requests only. */
	importRequestsPerMinute?: number;
	/** A separate, lower rate for removal requests only (Sync Mode Mirror). */
	removalRequestsPerMinute?: number;
	/**
	 * A separate rate for bulk imports that carry a single contact (ActiveCampaign: 20 a minute);
	 * such requests are paced and counted under the purpose 'import-single' instead of 'import'.
	 */
	singleImportRequestsPerMinute?: number;
	/** Requests in flight at once: 1 where tokens rotate or the service serialises anyway. */
	maxConcurrentRequests: number;
	/**
	 * The destination's one table of field limits, enforced by the engine's Long Values policy
	 * (`SerializeContext.fit`, `fitItems`): only limits a source states, each naming it. Fields
	 * without an entry are sent whole; the service's refusal of a contact then becomes its reason.
	 */
	fieldLimits: Record<string, FieldLimit>;
}

/** A limit a source states for one field of the destination's contact. */
export interface FieldLimit {
	/** Characters. */
	maxLength?: number;
	/** Entries of a list (tags). */
	maxItems?: number;
	/** Where the limit is stated (vendor page, OpenAPI or SDK file). */
	source: string;
}

/** One request as the transport sends it; the path is relative to the credential's base URL. */
export interface DestinationRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	/** A pre-serialized JSON body, so that bulk payloads are serialized once. */
	body?: string;
}

/** An HTTP answer; failures below HTTP are thrown as typed failures (engine/errors.ts), never faked as a status. */
export interface DestinationResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** A contact the service refused; `position` is its index within the batch. */
export interface ContactFailure {
	position: number;
	reason: RejectionReason;
	message: string;
}

/**
 * How one answer to a bulk request is to be taken. Anything else is thrown: RetryableFailure (try
 * again later), StopFailure (nothing more can be sent) or UnconfirmedFailure (an answer that cannot
 * be read: the batch's fate is unknown, never success).
 */
export type BatchOutcome =
	/** Processed: the batch's contacts are exported except the failures. Counts are null where the service does not tell. */
	| { kind: 'done'; created: number | null; updated: number | null; failures: ContactFailure[] }
	/** Accepted for asynchronous processing: the engine polls the job. */
	| { kind: 'job'; jobId: string }
	/**
	 * The service refused the whole request because of some contacts: those are rejected and the
	 * rest of the batch is sent again without them.
	 */
	| { kind: 'resend_without'; failures: ContactFailure[] }
	/**
	 * The service refused the whole request because of some contacts it does not name reliably (an
	 * index of undocumented base, say). `suspects` are positions (as sent) it hints at, if any; the
	 * engine isolates the contacts at fault by sending parts of the batch again, within a small
	 * budget of extra imports, and never rejects a contact on a hint alone. `message` is the
	 * service's words, given to the contact found at fault.
	 */
	| { kind: 'refused'; suspects: number[]; message: string };

export type JobStatus =
	/** Still running; `progress` (any number that grows as the job advances) tells a slow job from a stalled one. */
	| { state: 'pending'; progress?: number }
	| {
			state: 'done';
			created: number | null;
			updated: number | null;
			failures: ContactFailure[];
			/** Contacts the job never processed (a stopped job); they end as not sent and the export as partial. */
			unprocessed?: { positions: number[]; message: string };
	  }
	/** Ended without a usable result (failed, interrupted, cancelled): its contacts end as unconfirmed. */
	| { state: 'failed'; message: string };

/** A field of the destination offered to the user for mapping. */
export interface DestinationField {
	id: string;
	name: string;
	type: string;
}

/** What `serialize` may ask of the engine, which owns the policies for bad values. */
export interface SerializeContext {
	/**
	 * Applies the user's Long Values policy to a value of `field` (a key of the destination's
	 * `fieldLimits`; `label` names it in messages): returns it whole or truncated, or throws a
	 * ContactRejection (`field_too_long`). A field without a limit is returned as it is.
	 */
	fit(field: string, value: string, label?: string): string;
	/** The same for a list (tags): at most the field's `maxItems` entries. */
	fitItems<T>(field: string, values: T[], label?: string): T[];
	/** Counts a field left out of one contact because its value is not valid there (Summary `fieldsOmitted`). */
	omit(field: string): void;
}

/** Thrown by `serialize` when one contact cannot be sent; the engine turns it into a Rejected item. */
export class ContactRejection extends Error {
	constructor(
		readonly reason: RejectionReason,
		message: string,
	) {
		super(message);
	}
}

/**
 * Everything the engine needs to know about one service. An adapter knows request shapes, response
 * parsing and limits; ordering, pacing, retrying, polling, counting and outputs are the engine's.
 */
export interface DestinationAdapter {
	/** Summary `destination`, e.g. "campaignMonitor". */
	readonly destination: string;
	/** Shown in messages, e.g. "Campaign Monitor". */
	readonly serviceName: string;
	readonly credentialType: string;
	readonly limits: DestinationLimits;
	/** Summary `target` (a list ID, list IDs or tags), known once the node's parameters are read. */
	readonly target: string;
	/** Summary `targetName`: list names where the node knows them (else `target` is shown). Set by the adapter factory. */
	targetName?: string;
	/** Where the contacts went, for the Summary message ("Campaign Monitor list Newsletter"); set by the adapter factory. */
	targetPhrase?: string;
	/** Base URL of the service, from the credential; checked by the engine before any request. */
	readonly baseUrl: string;
	/** Field of the input holding the e-mail address. */
	readonly emailField: string;

	/**
	 * Checks the target and discovers what serialization needs (custom fields). Runs before any contact
	 * is sent; a problem here fails the node with nothing sent.
	 */
	prepare(send: RequestSender): Promise<void>;

	/** Maps one input record to the service's contact shape (a JSON-serializable value); may throw ContactRejection. */
	serialize(record: IDataObject, email: string, context: SerializeContext): unknown;

	/** The bulk request for contacts already serialized to JSON and joined with commas. */
	buildBatchRequest(contactsJson: string, count: number): DestinationRequest;

	/**
	 * Reads the answer to a bulk request. `emails` are the batch's addresses, in order. Undefined leaves
	 * the answer to the engine's generic rules (429, 408 and 5xx retried, 3xx and any other error stop).
	 * A success status whose body is not the documented shape must throw (unreadableAnswer).
	 */
	interpretBatchResponse(response: DestinationResponse, emails: readonly string[]): BatchOutcome | undefined;

	/**
	 * For every answer, before anything else: a message when it means nothing more can be sent
	 * (a daily quota), so it is not retried.
	 */
	fatalMessage?(response: DestinationResponse): string | undefined;

	/** Asks for the state of several jobs at once, economically. Only for asynchronous services. */
	pollJobs?(send: RequestSender, jobs: ReadonlyArray<{ jobId: string; emails: readonly string[] }>): Promise<Map<string, JobStatus>>;

	/** Milliseconds between polls of the same job. */
	readonly pollIntervalMs?: number;

	/**
	 * How long the service's jobs may show no progress before the export stops following them
	 * (the user can change it in Options); DEFAULT_JOB_STALL_MS where not set.
	 */
	readonly jobStallMs?: number;

	/**
	 * Whether to poll while batches are still being submitted: right where polls use capacity the
	 * imports leave idle (a separate, lower import limit), wrong where they compete with imports.
	 */
	readonly pollDuringSubmission?: boolean;

	/**
	 * Whether a job may end part-way, naming contacts it never processed (JobStatus `unprocessed`),
	 * which the engine sends again: only then are a job's wire forms kept (gzipped) while it runs.
	 */
	readonly jobsMayStopPartWay?: boolean;

	/**
	 * Sync Mode Mirror: how the service takes contacts that left the segment out of the target without
	 * recording an opt-out, or why it cannot (the node then refuses Mirror with that reason).
	 */
	readonly mirror: MirrorSupport | { refused: string };
}

/** A contact at the destination's target, as a Mirror read lists it. */
export interface TargetMember {
	/** The address, lower-cased. */
	email: string;
	/** The service's contact id, where its removal request needs one. */
	id?: string;
}

/** What one removal request takes away from its contacts. */
export type RemovalScope =
	/** Everything the node's target gives them: its lists, or its fixed tags plus `segmentTags`. */
	| { kind: 'departed'; segmentTags: string[] }
	/** One segment tag a contact still in another segment no longer has (services with `removesStaleTags`). */
	| { kind: 'staleTag'; tag: string };

/** A contact a removal request could not take out; `position` is its index within the request. */
export interface RemovalFailure {
	position: number;
	message: string;
}

/** How an answer to a removal request is to be taken; anything unreadable is thrown (never success). */
export type RemovalOutcome = { kind: 'done'; failures: RemovalFailure[] } | { kind: 'job'; jobId: string };

export type RemovalJobStatus = { state: 'pending' } | { state: 'done'; failures: RemovalFailure[] } | { state: 'failed'; message: string };

/**
 * Removal for Sync Mode Mirror. The engine decides who is removed (managed contacts that left, from
 * the sync state); the adapter knows how the service lists the target's contacts and removes them.
 */
export interface MirrorSupport {
	/**
	 * The contacts now at the target (the candidates for removal), page by page, sent with purpose
	 * 'read'. `segmentTags` are the segment names the node tags with, where the target is made of tags.
	 */
	readMembers(send: RequestSender, segmentTags: readonly string[]): AsyncIterable<TargetMember[]>;
	/** Contacts in one removal request. */
	readonly maxMembersPerRemoval: number;
	/** The removal request (sent with purpose 'remove'). */
	buildRemovalRequest(members: readonly TargetMember[], scope: RemovalScope): DestinationRequest;
	/** Reads its answer: a status outside 2xx that is not retried is thrown by the engine before this is called. */
	interpretRemovalResponse(response: DestinationResponse, members: readonly TargetMember[]): RemovalOutcome;
	/** The state of a removal job (services whose removals are asynchronous), sent with purpose 'poll'. */
	pollRemovalJob?(send: RequestSender, jobId: string, members: readonly TargetMember[]): Promise<RemovalJobStatus>;
	/** Whether the service removes a segment tag from a contact that stays in another segment (tags as target). */
	readonly removesStaleTags: boolean;
}

/**
 * Sends a request under the account's pacer with the engine's retry policy. Resolves with any
 * answer that is not retried (4xx included, for the adapter to read); throws a typed failure when
 * retries run out, the service redirects, the quota is spent or the execution is cancelled.
 */
export type RequestSender = (request: DestinationRequest, purpose: RequestPurpose) => Promise<DestinationResponse>;

export type RequestPurpose = 'discovery' | 'import' | 'import-single' | 'poll' | 'read' | 'remove';

/** How requests are counted in the Summary's requestsByPurpose: by purpose, and imports sent to isolate refused contacts apart. */
export type RequestCount = RequestPurpose | 'isolate';

export type AdapterFactory = (context: IExecuteFunctions) => Promise<DestinationAdapter>;
