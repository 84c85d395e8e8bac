import { readFileSync } from 'fs';
import type { ICredentialDataDecryptedObject, IDataObject, IWorkflowBase } from 'n8n-workflow';
import { join } from 'path';

import { PACKAGE_ROOT } from './harness/package';
import type { NodeSpec } from './harness/workflows';
import { acCredentials, cmCredentials, ccCredentials, omnisendCredentials } from './harness/workflows';
import { AC_BATCH_BASE_MS, AC_BULK_IMPORTS_PER_MINUTE, AC_IMPORT_MS_PER_CONTACT, AC_MAX_CONTACTS_PER_IMPORT, AC_REQUESTS_PER_SECOND } from './sandbox/activeCampaign';
import { CM_IMPORT_MS_PER_SUBSCRIBER, CM_MAX_SUBSCRIBERS_PER_IMPORT, CM_RATE_LIMIT, CM_RATE_WINDOW_MS } from './sandbox/campaignMonitor';
import { CC_ACTIVITY_BASE_MS, CC_CONTACTS_PER_REMOVAL, CC_IMPORT_MS_PER_CONTACT, CC_REMOVE_MS_PER_CONTACT, CC_REQUESTS_PER_SECOND } from './sandbox/constantContact';
import { OMNISEND_BATCH_BASE_MS, OMNISEND_MAX_ITEMS_PER_BATCH, OMNISEND_MS_PER_ITEM, OMNISEND_REQUESTS_PER_MINUTE, OMNISEND_TAG_REQUESTS_PER_MINUTE } from './sandbox/omnisend';
import type { Sandbox } from './sandbox/server';

const CM_LIST = 'cm-list-newsletter';
const CC_LIST = '6f1c2a10-0000-4000-8000-000000000001';
const AC_LIST = 1;
/**
 * Omnisend has no lists: the default target is a fixed tag. Given both as the version 2 parameter and
 * as the version 1 option (each version drops the other's), so every export to the default target carries it.
 */
export const OMNISEND_TARGET_TAG = 'n8n-sandbox';

/** The sandbox's state as its control API answers it (another process: the benchmarks, the e2e suite). */
export type SandboxState = Record<string, Record<string, unknown>>;

/**
 * What the tests, the benchmarks and the end-to-end suite need to know of one destination. Adding a
 * destination: its node folder, credential, sandbox module, example, README section — and one entry
 * in DESTINATIONS below.
 */
export interface DestinationCase {
	/** Summary `destination` and the sandbox's service name. */
	key: 'campaignMonitor' | 'constantContact' | 'activeCampaign' | 'omnisend';
	serviceName: string;
	nodeType: string;
	credentialType: string;
	credentialRef: NodeSpec['credentials'];
	/** Parameters of an export to the sandbox's default target. */
	parameters: IDataObject;
	/** Credential data pointing at the sandbox; `account` > 0 gives an account of its own (paces separately). */
	credentials(sandbox: Sandbox, account?: number): ICredentialDataDecryptedObject;
	/** Path fragments of the bulk import and, for asynchronous services, of the job status requests. */
	importPath: string;
	pollPath?: string;
	/** Path fragment of Mirror's removal requests (services that offer Mirror). */
	removalPath?: string;
	/** E-mail addresses now at the destination's default target (its list, or carrying its tag): removals show here. */
	stored(sandbox: Sandbox): string[];
	/** Whether the node offers Sync Mode Mirror for this service (removal without an opt-out). */
	mirror: boolean;
	/** Whether the contact opted out at the service (unsubscribed, suppressed): a removal must never make it so. */
	optedOut(sandbox: Sandbox, email: string): boolean;
	/** Puts a contact into the default target directly, as another tool would (Mirror must leave it alone). */
	addElsewhere(sandbox: Sandbox, email: string): void;
	/** A 200 poll answer saying the job ended without a result (its documented terminal failure), if the service has one. */
	failedJobAnswer?: unknown;
	/** Name in file names, the benchmarks and the e2e suite: examples/scheduled-<slug>.json. */
	slug: 'campaign-monitor' | 'constant-contact' | 'active-campaign' | 'omnisend';
	/** Contacts at the default target, from the control API's state. */
	storedInState(state: SandboxState): number;
	/** The credential test: a change that makes it fail, the status it then gets, and the path it calls. */
	credentialTest: { wrong: ICredentialDataDecryptedObject; refusedStatus: number; path: string };
	/** The node's editor methods for its target lists and custom fields, and what the sandbox lists. */
	editor: {
		nodeFile: string;
		nodeClass: string;
		/** Node parameters the look-ups depend on. */
		parameters: IDataObject;
		lists: { kind: 'listSearch' | 'loadOptions'; method: string; names: string[] };
		customFields: { method: string; first: string };
	};
	/** What the benchmark needs: the floor its limits allow, at a scale where it lasts a few minutes. */
	bench: {
		defaultScale: number;
		/** Contacts per import at the published limits (undefined: byte-bound, measured). */
		contactsPerRequest?: number;
		/** Documented time of Dynamics 365 Customer Insights' export for 1,000,000 profiles. */
		replacedPlatformSeconds: number;
		/** Milliseconds at scale 1 for `requests` imports, the last one of `lastBatchContacts`. */
		floorMs(requests: number, lastBatchContacts: number): number;
		/** Mirror: milliseconds at scale 1 for `reads` pages of the target and `removals` removal requests, at their limits. */
		mirrorFloorMs?(reads: number, removals: number): number;
		/** Scale of `npm run bench:sync` where it differs from `defaultScale` (a Mirror read of a million at 0.1 would take hours). */
		syncScale?: number;
	};
}

/** A limit of L requests per window W lets request k start at floor(k / L) × W at the earliest: the last of R starts at (ceil(R / L) − 1) × W. */
function windows(requests: number, limit: number, windowMs: number): number {
	return (Math.ceil(requests / limit) - 1) * windowMs;
}

/**
 * When the last of R requests can start at the earliest under several sliding-window limits at once:
 * request k goes no sooner than a window after request k − L of each limit. Taking each limit alone
 * and the larger answer (as the floors did before) lets the last minute's 100 ActiveCampaign imports
 * go at one instant, which its 5 requests a second forbid: 19 s more per export at the real limits.
 */
function sendingUnderAll(requests: number, limits: Array<{ limit: number; windowMs: number }>): number {
	const startsAt: number[] = [];
	for (let k = 0; k < requests; k++) {
		let at = k > 0 ? startsAt[k - 1] : 0;
		for (const { limit, windowMs } of limits) if (k >= limit) at = Math.max(at, startsAt[k - limit] + windowMs);
		startsAt.push(at);
	}
	return startsAt.at(-1) ?? 0;
}

/**
 * The sandbox's speed-up as the credential's rate limit factor (limits and back-offs scale with it).
 * It is part of the pacer's account key, so a hair's change gives an account of its own.
 */
function factorFor(sandbox: Sandbox, account = 0): number {
	return sandbox.scale * (1 + account * 1e-9);
}

export const DESTINATIONS: DestinationCase[] = [
	{
		key: 'campaignMonitor',
		serviceName: 'Campaign Monitor',
		nodeType: 'campaignMonitorExport',
		credentialType: 'campaignMonitorExportApi',
		credentialRef: cmCredentials,
		parameters: { privacyAcknowledged: true, list: { __rl: true, mode: 'id', value: CM_LIST } },
		credentials: (sandbox, account) => ({ ...sandbox.endpoints.campaignMonitor, rateLimitFactor: factorFor(sandbox, account) }),
		importPath: '/import.json',
		stored: (sandbox) => sandbox.campaignMonitor.subscribers(CM_LIST).filter((subscriber) => subscriber.State === 'Active').map((subscriber) => subscriber.EmailAddress),
		// Deleting from a list is one request per address and sticky against normal imports (research sync-modes §4): refused.
		mirror: false,
		optedOut: (sandbox, email) => ['Unsubscribed', 'Suppressed'].includes(sandbox.campaignMonitor.subscribers(CM_LIST).find((subscriber) => subscriber.EmailAddress.toLowerCase() === email.toLowerCase())?.State ?? ''),
		addElsewhere: (sandbox, email) => sandbox.campaignMonitor.seed(CM_LIST, { EmailAddress: email }),
		slug: 'campaign-monitor',
		storedInState: (state) => Number((state.campaignMonitor.lists as Array<{ ListID: string; subscribers: number }>).find((list) => list.ListID === 'cm-list-newsletter')!.subscribers),
		credentialTest: { wrong: { apiKey: 'wrong' }, refusedStatus: 401, path: '/systemdate.json' },
		editor: {
			nodeFile: 'CampaignMonitor/CampaignMonitorExport.node.js',
			nodeClass: 'CampaignMonitorExport',
			parameters: { list: { __rl: true, mode: 'list', value: 'cm-list-newsletter' } },
			lists: { kind: 'listSearch', method: 'searchLists', names: ['Newsletter (Sandbox Retail)', 'Outlet Shoppers (Sandbox Outlet)', 'VIP Customers (Sandbox Retail)'] },
			customFields: { method: 'getListCustomFields', first: 'Address' },
		},
		bench: {
			defaultScale: 4,
			contactsPerRequest: CM_MAX_SUBSCRIBERS_PER_IMPORT,
			replacedPlatformSeconds: 20 * 60,
			// Synchronous: the last import's processing ends the export.
			floorMs: (requests, last) => windows(requests, CM_RATE_LIMIT, CM_RATE_WINDOW_MS) + last * CM_IMPORT_MS_PER_SUBSCRIBER,
		},
	},
	{
		key: 'constantContact',
		serviceName: 'Constant Contact',
		nodeType: 'constantContactExport',
		credentialType: 'constantContactExportOAuth2Api',
		credentialRef: ccCredentials,
		parameters: { privacyAcknowledged: true, lists: [CC_LIST] },
		credentials: (sandbox, account) => ({ ...sandbox.endpoints.constantContact, rateLimitFactor: factorFor(sandbox, account) }),
		importPath: 'contacts_json_import',
		pollPath: '/activities',
		removalPath: 'remove_list_memberships',
		stored: (sandbox) => sandbox.constantContact.listMembers(CC_LIST).map((contact) => contact.email),
		mirror: true,
		optedOut: (sandbox, email) => sandbox.constantContact.contact(email)?.permission === 'unsubscribed',
		addElsewhere: (sandbox, email) => {
			const contact = sandbox.constantContact.contact(email);
			if (contact) contact.lists.add(CC_LIST);
			else sandbox.constantContact.seed(email, 'implicit', [CC_LIST]);
		},
		failedJobAnswer: { activities: [], activity_id: 'x', state: 'failed' },
		slug: 'constant-contact',
		storedInState: (state) => Number(state.constantContact.contacts),
		credentialTest: { wrong: { oauthTokenData: { access_token: 'revoked' } }, refusedStatus: 401, path: '/v3/account/summary' },
		editor: {
			nodeFile: 'ConstantContact/ConstantContactExport.node.js',
			nodeClass: 'ConstantContactExport',
			parameters: {},
			lists: { kind: 'loadOptions', method: 'getContactLists', names: ['Events', 'Newsletter', 'VIP Customers'] },
			customFields: { method: 'getContactCustomFields', first: 'Loyalty Tier' },
		},
		bench: {
			defaultScale: 0.1,
			syncScale: 1,
			replacedPlatformSeconds: 60 * 60,
			floorMs: (requests, last) => windows(requests, CC_REQUESTS_PER_SECOND, 1000) + CC_ACTIVITY_BASE_MS + last * CC_IMPORT_MS_PER_CONTACT,
			// Reads and removal activities share the 4 a second; the last removal activity's processing ends it.
			mirrorFloorMs: (reads, removals) =>
				(reads ? windows(reads, CC_REQUESTS_PER_SECOND, 1000) : 0) + (removals ? windows(removals, CC_REQUESTS_PER_SECOND, 1000) + CC_ACTIVITY_BASE_MS + CC_CONTACTS_PER_REMOVAL * CC_REMOVE_MS_PER_CONTACT : 0),
		},
	},
	{
		key: 'activeCampaign',
		serviceName: 'ActiveCampaign',
		nodeType: 'activeCampaignExport',
		credentialType: 'activeCampaignExportApi',
		credentialRef: acCredentials,
		parameters: { privacyAcknowledged: true, lists: ['1'] },
		credentials: (sandbox, account) => ({ ...sandbox.endpoints.activeCampaign, rateLimitFactor: factorFor(sandbox, account) }),
		importPath: 'bulk_import',
		pollPath: '/import/info',
		stored: (sandbox) => sandbox.activeCampaign.listMembers(AC_LIST).map((contact) => contact.email),
		// List status 2 is the unsubscribe, and bulk delete removes a contact from the account on its last list: refused.
		mirror: false,
		optedOut: (sandbox, email) => [...(sandbox.activeCampaign.contacts().find((contact) => contact.email === email.toLowerCase())?.lists.values() ?? [])].includes(2),
		addElsewhere: (sandbox, email) => {
			const contact = sandbox.activeCampaign.contacts().find((candidate) => candidate.email === email.toLowerCase());
			if (contact) contact.lists.set(AC_LIST, 1);
			else sandbox.activeCampaign.seed(email, [[AC_LIST, 1]]);
		},
		failedJobAnswer: { status: 'failed', success: [], failure: [] },
		slug: 'active-campaign',
		storedInState: (state) => Number(state.activeCampaign.contacts),
		credentialTest: { wrong: { apiKey: 'wrong' }, refusedStatus: 403, path: '/api/3/users/me' },
		editor: {
			nodeFile: 'ActiveCampaign/ActiveCampaignExport.node.js',
			nodeClass: 'ActiveCampaignExport',
			parameters: {},
			lists: { kind: 'loadOptions', method: 'getContactLists', names: ['Events', 'Newsletter', 'VIP Customers'] },
			customFields: { method: 'getCustomFields', first: 'Address' },
		},
		bench: {
			defaultScale: 10,
			contactsPerRequest: AC_MAX_CONTACTS_PER_IMPORT,
			replacedPlatformSeconds: 90 * 60,
			floorMs: (requests, last) =>
				sendingUnderAll(requests, [
					{ limit: AC_REQUESTS_PER_SECOND, windowMs: 1000 },
					{ limit: AC_BULK_IMPORTS_PER_MINUTE, windowMs: 60_000 },
				]) + AC_BATCH_BASE_MS + last * AC_IMPORT_MS_PER_CONTACT,
		},
	},
	{
		key: 'omnisend',
		serviceName: 'Omnisend',
		nodeType: 'omnisendExport',
		credentialType: 'omnisendExportApi',
		credentialRef: omnisendCredentials,
		parameters: { privacyAcknowledged: true, tags: OMNISEND_TARGET_TAG, options: { tags: OMNISEND_TARGET_TAG } },
		credentials: (sandbox, account) => ({ ...sandbox.endpoints.omnisend, rateLimitFactor: factorFor(sandbox, account) }),
		importPath: '/batches',
		pollPath: '/batches',
		removalPath: '/contacts/tags',
		stored: (sandbox) => sandbox.omnisend.tagged(OMNISEND_TARGET_TAG).map((contact) => contact.email),
		mirror: true,
		optedOut: (sandbox, email) => sandbox.omnisend.contact(email)?.status === 'unsubscribed',
		addElsewhere: (sandbox, email) => {
			const contact = sandbox.omnisend.contact(email);
			if (contact) contact.tags.add(OMNISEND_TARGET_TAG);
			else sandbox.omnisend.seed(email, 'nonSubscribed', undefined, [OMNISEND_TARGET_TAG]);
		},
		slug: 'omnisend',
		storedInState: (state) => Number(state.omnisend.contacts),
		credentialTest: { wrong: { apiKey: 'wrong' }, refusedStatus: 403, path: '/brands/current' },
		editor: {
			nodeFile: 'Omnisend/OmnisendExport.node.js',
			nodeClass: 'OmnisendExport',
			parameters: {},
			// Omnisend has no lists (audiences are tags) and no custom-field discovery.
			lists: { kind: 'loadOptions', method: '', names: [] },
			customFields: { method: '', first: '' },
		},
		bench: {
			defaultScale: 6,
			contactsPerRequest: OMNISEND_MAX_ITEMS_PER_BATCH,
			replacedPlatformSeconds: 240 * 60,
			floorMs: (requests, last) => windows(requests, OMNISEND_REQUESTS_PER_MINUTE, 60_000) + OMNISEND_BATCH_BASE_MS + last * OMNISEND_MS_PER_ITEM,
			// Reads at the brand's 400 a minute; tag removals at their own 60 a minute (Omnisend untags asynchronously, not waited for).
			mirrorFloorMs: (reads, removals) => (reads ? windows(reads, OMNISEND_REQUESTS_PER_MINUTE, 60_000) : 0) + (removals ? windows(removals, OMNISEND_TAG_REQUESTS_PER_MINUTE, 60_000) : 0),
		},
	},
];

export function destinationBySlug(slug: string): DestinationCase {
	const found = DESTINATIONS.find((destination) => destination.slug === slug);
	if (!found) throw new Error(`Unknown destination ${slug}; use one of ${DESTINATIONS.map((destination) => destination.slug).join(', ')}`);
	return found;
}

/** The destinations processed as asynchronous jobs. */
export const ASYNC_DESTINATIONS = DESTINATIONS.filter((destination) => destination.pollPath !== undefined);

/** The exporter's parameters at version 2, as its scheduled example has them, pointing at the sandbox's default target. */
export function parametersV2(destination: DestinationCase): IDataObject {
	const workflow = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', `scheduled-${destination.slug}.json`), 'utf8')) as IWorkflowBase;
	const node = workflow.nodes.find((candidate) => candidate.type === `n8n-nodes-segment-export.${destination.nodeType}`)!;
	if (node.typeVersion !== 2) throw new Error(`examples/scheduled-${destination.slug}.json: the exporter is not at version 2`);
	// Omnisend's default target is a tag (a visible parameter at version 2): the registry's, so that `stored` sees the contacts.
	const targetTag = typeof destination.parameters.tags === 'string' ? { tags: destination.parameters.tags } : {};
	return { ...(node.parameters as IDataObject), ...targetTag };
}
