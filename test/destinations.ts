import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { NodeSpec } from './harness/workflows';
import { acCredentials, cmCredentials, ccCredentials, omnisendCredentials } from './harness/workflows';
import type { Sandbox } from './sandbox/server';

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
	/** E-mail addresses now at the destination's target. */
	stored(sandbox: Sandbox): string[];
	/** A 200 poll answer saying the job ended without a result (its documented terminal failure), if the service has one. */
	failedJobAnswer?: unknown;
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
		parameters: { privacyAcknowledged: true, list: { __rl: true, mode: 'id', value: 'cm-list-newsletter' } },
		credentials: (sandbox, account) => ({ ...sandbox.endpoints.campaignMonitor, rateLimitFactor: factorFor(sandbox, account) }),
		importPath: '/import.json',
		stored: (sandbox) => sandbox.campaignMonitor.subscribers('cm-list-newsletter').map((subscriber) => subscriber.EmailAddress),
	},
	{
		key: 'constantContact',
		serviceName: 'Constant Contact',
		nodeType: 'constantContactExport',
		credentialType: 'constantContactExportOAuth2Api',
		credentialRef: ccCredentials,
		parameters: { privacyAcknowledged: true, lists: ['6f1c2a10-0000-4000-8000-000000000001'] },
		credentials: (sandbox, account) => ({ ...sandbox.endpoints.constantContact, rateLimitFactor: factorFor(sandbox, account) }),
		importPath: 'contacts_json_import',
		pollPath: '/activities',
		stored: (sandbox) => sandbox.constantContact.listMembers('6f1c2a10-0000-4000-8000-000000000001').map((contact) => contact.email),
		failedJobAnswer: { activities: [], activity_id: 'x', state: 'failed' },
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
		stored: (sandbox) => sandbox.activeCampaign.listMembers(1).map((contact) => contact.email),
		failedJobAnswer: { status: 'failed', success: [], failure: [] },
	},
	{
		key: 'omnisend',
		serviceName: 'Omnisend',
		nodeType: 'omnisendExport',
		credentialType: 'omnisendExportApi',
		credentialRef: omnisendCredentials,
		parameters: { privacyAcknowledged: true },
		credentials: (sandbox, account) => ({ ...sandbox.endpoints.omnisend, rateLimitFactor: factorFor(sandbox, account) }),
		importPath: '/batches',
		pollPath: '/batches',
		stored: (sandbox) => sandbox.omnisend.contacts().map((contact) => contact.email),
	},
];

/** The destinations processed as asynchronous jobs. */
export const ASYNC_DESTINATIONS = DESTINATIONS.filter((destination) => destination.pollPath !== undefined);
