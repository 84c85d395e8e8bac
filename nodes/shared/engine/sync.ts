import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DestinationAdapter, MirrorSupport, RequestSender, TargetMember } from '../adapter';
import { segmentsOf } from '../fields';
import type { Batch } from './batching';
import { RefusalFailure } from './errors';
import type { SyncKeys, SyncStateStore } from './syncState';

export type SyncMode = 'upsertAll' | 'changedOnly' | 'mirror';

/** How an export syncs with what earlier runs sent (node version 2). */
export interface SyncSettings {
	mode: SyncMode;
	/** Work out and report what would be sent and removed, write nothing (state included). */
	dryRun: boolean;
	/** Every Nth run sends everything again, repairing drift (0: never). */
	fullResendEvery: number;
	/** Mirror refuses to remove more than this percentage of the target's managed contacts in one run. */
	maxRemovalPercent: number;
}

export const DEFAULT_MAX_REMOVAL_PERCENT = 10;

export const UPSERT_ALL: SyncSettings = { mode: 'upsertAll', dryRun: false, fullResendEvery: 0, maxRemovalPercent: DEFAULT_MAX_REMOVAL_PERCENT };

/** Whether the run keeps and reads a sync state. */
export function keepsState(settings: SyncSettings): boolean {
	return settings.mode !== 'upsertAll';
}

/** One contact of the segment, as the diff pass saw it (`ordinal`: see batching's ContactAdmission). */
export interface DiffContact {
	email: string;
	wireForm: string;
	record: IDataObject;
	ordinal: number;
}

/**
 * What this run will do relative to the sync state: which contacts to send, who left, and the
 * figures the Summary (or the dry run) reports. Built before anything is written.
 */
export class SyncPlan {
	/** Entries of the state this run's keys found; the state holds exactly these after the probe. */
	known = new Set<string>();

	/** This run sends every contact (first run, or Full Re-send Every N Runs is due). */
	fullResend = false;

	/** Changed-only runs since the last full send, before this one. */
	runsSinceFull = 0;

	readonly counts = { new: 0, changed: 0, unchanged: 0 };

	/** Managed contacts at the target that left the segment (Mirror). */
	departed: TargetMember[] = [];

	/** Managed contacts, in the segment or at the target. */
	managed = 0;

	/** Every segment name of this run's members: the segment tags the node may have set. */
	readonly segmentTags = new Set<string>();

	entriesBefore = 0;

	/** Stale segment tags to remove: tag → addresses of managed contacts that stay but left that segment. */
	readonly staleTags = new Map<string, string[]>();

	/** Keys of contacts confirmed exported during this run (`p…` and `e…`). */
	readonly confirmed: string[] = [];

	/** `e…` keys of unchanged contacts Mirror did not find at the target: sent again. */
	readonly missingAtTarget = new Set<string>();

	/** The state could not be trusted (a run stopped between its check and its put-back): everything is sent, nothing removed. */
	interrupted = false;

	/** How the state was put back after the check. */
	putBack: 'exact' | 'trimmed' = 'exact';

	/** 1 at the ordinal of each contact the diff pass found unchanged (not with a full re-send). */
	unchangedOrdinals = new Uint8Array(0);

	/** Whether the contact at `ordinal` was found unchanged by the diff pass, so it need not be serialized again. */
	isUnchanged(ordinal: number): boolean {
		return !this.fullResend && this.unchangedOrdinals[ordinal] === 1;
	}

	constructor(
		readonly keys: SyncKeys,
		readonly settings: SyncSettings,
	) {}

	/**
	 * Whether the state knows this contact with this exact wire form. Both entries must be there: a
	 * contact Mirror removed loses its `e…` entry (its old `p…` entry may stay), and is then new.
	 */
	isKnownUnchanged(payloadKey: string, contactKey: string): boolean {
		return this.known.has(payloadKey) && this.known.has(contactKey);
	}

	/** Unchanged and, with Mirror, at the target: not sent. */
	isUnchangedContact(payloadKey: string, contactKey: string): boolean {
		return this.isKnownUnchanged(payloadKey, contactKey) && !this.missingAtTarget.has(contactKey);
	}

	/** How a contact with this payload key stands: 'new' (not sent to this target before), 'changed' or 'unchanged'. */
	classify(email: string, payloadKey: string): 'new' | 'changed' | 'unchanged' {
		const contactKey = this.keys.contact(email);
		if (this.isUnchangedContact(payloadKey, contactKey)) return 'unchanged';
		return this.known.has(contactKey) ? 'changed' : 'new';
	}

	/**
	 * Notes the stale segment tags of a managed contact that stays (services that remove them). Only
	 * a contact whose data changed can have left a segment it was tagged with: the same payload key
	 * means the same segments.
	 */
	noteStaleTags(email: string, payloadKey: string, record: IDataObject): void {
		if (this.known.has(payloadKey) || !this.known.has(this.keys.contact(email))) return;
		const now = new Set(segmentsOf(record));
		for (const tag of this.segmentTags) {
			if (now.has(tag)) continue;
			let emails = this.staleTags.get(tag);
			if (!emails) this.staleTags.set(tag, (emails = []));
			emails.push(email);
		}
	}

	get staleTagCount(): number {
		let count = 0;
		for (const emails of this.staleTags.values()) count += emails.length;
		return count;
	}

	/** Records a batch's contacts at `positions` as confirmed exported (carried by the batch as payload keys). */
	confirm(batch: Batch, positions: readonly number[]): void {
		if (!batch.payloadKeys) return;
		for (const position of positions) this.confirmed.push(batch.payloadKeys[position], this.keys.contact(batch.emails[position]));
	}
}

/**
 * Builds the plan: one pass over the segment for its keys, the target's members read (Mirror), one
 * probe of the state, the safety cap. Nothing is written to the destination.
 */
export async function planSync(
	plan: SyncPlan,
	forEachContact: (visit: (contact: DiffContact) => void, visitAddress: (email: string) => void) => Promise<void>,
	store: SyncStateStore,
	adapter: DestinationAdapter,
	send: RequestSender,
): Promise<void> {
	const { keys, settings } = plan;
	plan.entriesBefore = await store.entries();
	const payloadKeys: string[] = [];
	const contactKeys: string[] = [];
	const ordinals: number[] = [];
	// Mirror: every valid address of the segment, sent or not (a contact rejected for a long value is
	// still a member). Only Mirror needs them: a million more keys held through the check otherwise.
	const inSegment = settings.mode === 'mirror' ? new Set<string>() : undefined;
	await forEachContact(
		({ email, wireForm, record, ordinal }) => {
			payloadKeys.push(keys.payload(email, wireForm));
			contactKeys.push(keys.contact(email));
			ordinals.push(ordinal);
			for (const segment of segmentsOf(record)) plan.segmentTags.add(segment);
		},
		(email) => inSegment?.add(keys.contact(email)),
	);

	// Mirror: the target's contacts that are not in the segment are the candidates for removal; the
	// segment's contacts not at the target are sent again even when unchanged (someone took them out).
	const candidates: Array<{ member: TargetMember; key: string }> = [];
	let atTarget: Set<string> | undefined;
	if (inSegment) {
		const mirror = mirrorOf(adapter);
		atTarget = new Set<string>();
		for await (const page of mirror.readMembers(send, [...plan.segmentTags])) {
			for (const member of page) {
				const key = keys.contact(member.email.toLowerCase());
				if (atTarget.has(key)) continue;
				atTarget.add(key);
				if (!inSegment.has(key)) candidates.push({ member, key });
			}
		}
	}

	const runKeys = settings.fullResendEvery > 0 ? Array.from({ length: settings.fullResendEvery }, (_, index) => keys.run(index + 1)) : [];
	// n8n records what it checks: a mark first, so that a run stopped before the put-back (or one
	// running at the same moment) is known to the next, which then trusts nothing it reads.
	const interrupted = await store.begin();
	const checked = await store.check([...payloadKeys, ...contactKeys, ...candidates.map((candidate) => candidate.key), ...runKeys]);
	if (interrupted) {
		plan.interrupted = true;
		plan.known = new Set();
	} else plan.known = checked.known;

	plan.unchangedOrdinals = new Uint8Array(ordinals.length ? ordinals[ordinals.length - 1] + 1 : 0);
	for (let index = 0; index < payloadKeys.length; index++) {
		const contactKey = contactKeys[index];
		if (plan.isKnownUnchanged(payloadKeys[index], contactKey)) {
			if (atTarget && !atTarget.has(contactKey)) {
				plan.missingAtTarget.add(contactKey);
				plan.counts.changed++;
			} else {
				plan.counts.unchanged++;
				plan.unchangedOrdinals[ordinals[index]] = 1;
			}
		} else if (plan.known.has(contactKey)) plan.counts.changed++;
		else plan.counts.new++;
		if (plan.known.has(contactKey)) plan.managed++;
	}
	plan.runsSinceFull = runKeys.filter((key) => plan.known.has(key)).length;
	plan.fullResend = settings.fullResendEvery > 0 && plan.runsSinceFull + 1 >= settings.fullResendEvery;

	// Put back: a real run with changed contacts keeps only the entries found, which drops their old
	// fingerprints (else a contact whose data went back to an older form would count as unchanged).
	const changedData = plan.counts.changed > plan.missingAtTarget.size;
	if (interrupted && settings.dryRun) {
		// A dry run leaves an untrusted state as it found it, mark included, for the next real run to start afresh.
		plan.putBack = await store.putBack(checked.known, checked.added, plan.entriesBefore, false);
		await store.begin();
	} else if (interrupted) plan.putBack = (await store.replace([]), 'trimmed');
	else plan.putBack = await store.putBack(plan.known, checked.added, plan.entriesBefore, !settings.dryRun && changedData);

	plan.departed = candidates.filter((candidate) => plan.known.has(candidate.key)).map((candidate) => candidate.member);
	plan.managed += plan.departed.length;
	const allowed = Math.floor((plan.managed * settings.maxRemovalPercent) / 100);
	if (plan.departed.length > allowed) {
		throw new RefusalFailure(
			`Mirror would remove ${plan.departed.length.toLocaleString('en-US')} of the ${plan.managed.toLocaleString('en-US')} contacts this node manages at ${adapter.serviceName} ${adapter.targetName?.trim() || adapter.target} (${((plan.departed.length / plan.managed) * 100).toFixed(1)} %), more than the ${settings.maxRemovalPercent} % allowed`,
			'Nothing was sent. If the segment really shrank that much, raise Options → Max Removal (%) for one run, or check the segment\'s input first (an empty or partial input looks like everyone left).',
		);
	}
}

/** The adapter's Mirror support, or the node's refusal naming why the service cannot mirror. */
export function mirrorOf(adapter: DestinationAdapter): MirrorSupport {
	if ('refused' in adapter.mirror) throw new RefusalFailure(`Sync Mode "Mirror" is not available for ${adapter.serviceName}: ${adapter.mirror.refused}`, 'Nothing was sent.');
	return adapter.mirror;
}

/**
 * How the state changes after a real run: what this run confirmed is added, contacts removed are no
 * longer managed; the run counter advances only after a complete changed-only run and restarts after
 * a complete full one.
 */
export function stateChanges(plan: SyncPlan, removedEmails: readonly string[], completed: boolean): { add: string[]; remove: string[] } {
	const { keys, settings } = plan;
	const add = new Set(plan.confirmed);
	const remove = removedEmails.map((email) => keys.contact(email));
	if (settings.fullResendEvery > 0 && completed) {
		for (let count = 1; count <= settings.fullResendEvery; count++) remove.push(keys.run(count));
		if (!plan.fullResend) for (let count = 1; count <= plan.runsSinceFull + 1; count++) add.add(keys.run(count));
	}
	// A key both added and removed (a run counter kept) stays.
	const kept = remove.filter((key) => !add.has(key));
	return { add: [...add], remove: kept };
}

/** The Sync Mode settings of a version 2 node. */
export function readSyncSettings(context: IExecuteFunctions, options: IDataObject): SyncSettings {
	const node = context.getNode();
	const mode = context.getNodeParameter('syncMode', 0, 'upsertAll') as string;
	if (mode !== 'upsertAll' && mode !== 'changedOnly' && mode !== 'mirror') throw new NodeOperationError(node, `Parameter "Sync Mode" has an unknown value "${mode}"`);
	const fullResendEvery = options.fullResendEvery ?? 0;
	if (typeof fullResendEvery !== 'number' || !Number.isInteger(fullResendEvery) || fullResendEvery < 0) {
		throw new NodeOperationError(node, 'Option "Full Re-send Every N Runs" must be a whole number of at least 0');
	}
	const maxRemovalPercent = options.maxRemovalPercent ?? DEFAULT_MAX_REMOVAL_PERCENT;
	if (typeof maxRemovalPercent !== 'number' || !(maxRemovalPercent >= 0 && maxRemovalPercent <= 100)) {
		throw new NodeOperationError(node, 'Option "Max Removal (%)" must be a number from 0 to 100');
	}
	return { mode, dryRun: mode !== 'upsertAll' && context.getNodeParameter('dryRun', 0, false) === true, fullResendEvery, maxRemovalPercent };
}
