import { AC_BATCH_BASE_MS, AC_BULK_IMPORTS_PER_MINUTE, AC_IMPORT_MS_PER_CONTACT, AC_MAX_CONTACTS_PER_IMPORT, AC_REQUESTS_PER_SECOND } from '../test/sandbox/activeCampaign';
import { CM_IMPORT_MS_PER_SUBSCRIBER, CM_MAX_SUBSCRIBERS_PER_IMPORT, CM_RATE_LIMIT, CM_RATE_WINDOW_MS } from '../test/sandbox/campaignMonitor';
import { CC_ACTIVITY_BASE_MS, CC_IMPORT_MS_PER_CONTACT, CC_REQUESTS_PER_SECOND } from '../test/sandbox/constantContact';
import { OMNISEND_BATCH_BASE_MS, OMNISEND_MAX_ITEMS_PER_BATCH, OMNISEND_MS_PER_ITEM, OMNISEND_REQUESTS_PER_MINUTE } from '../test/sandbox/omnisend';

export type DestinationName = 'campaign-monitor' | 'constant-contact' | 'active-campaign' | 'omnisend';

/**
 * The time the service's limits allow for the import requests an export cannot avoid: `requests`
 * requests (count and byte limits honoured) at the scaled rate, plus, for asynchronous services, the
 * modelled processing of the last job. Polling, discovery and retries are not in the floor.
 *
 * A limit of L requests per window W lets request k start at floor(k / L) × W at the earliest, so the
 * last of R requests starts at (ceil(R / L) − 1) × W.
 */
export function floorSeconds(destination: DestinationName, requests: number, lastBatchContacts: number, scale: number): number {
	const windows = (limit: number, windowMs: number) => (Math.ceil(requests / limit) - 1) * windowMs;
	let ms: number;
	switch (destination) {
		case 'campaign-monitor':
			// Synchronous: the last import's processing ends the export.
			ms = windows(CM_RATE_LIMIT, CM_RATE_WINDOW_MS) + lastBatchContacts * CM_IMPORT_MS_PER_SUBSCRIBER;
			break;
		case 'constant-contact':
			ms = windows(CC_REQUESTS_PER_SECOND, 1000) + CC_ACTIVITY_BASE_MS + lastBatchContacts * CC_IMPORT_MS_PER_CONTACT;
			break;
		case 'active-campaign':
			ms = Math.max(windows(AC_REQUESTS_PER_SECOND, 1000), windows(AC_BULK_IMPORTS_PER_MINUTE, 60_000)) + AC_BATCH_BASE_MS + lastBatchContacts * AC_IMPORT_MS_PER_CONTACT;
			break;
		case 'omnisend':
			ms = windows(OMNISEND_REQUESTS_PER_MINUTE, 60_000) + OMNISEND_BATCH_BASE_MS + lastBatchContacts * OMNISEND_MS_PER_ITEM;
			break;
	}
	return ms / 1000 / scale;
}

/** Contacts per import request at the published limits (count limit; Constant Contact is byte-bound and measured). */
export const CONTACTS_PER_REQUEST: Record<DestinationName, number | undefined> = {
	'campaign-monitor': CM_MAX_SUBSCRIBERS_PER_IMPORT,
	'constant-contact': undefined,
	'active-campaign': AC_MAX_CONTACTS_PER_IMPORT,
	omnisend: OMNISEND_MAX_ITEMS_PER_BATCH,
};

/** Documented time of the platform we replace for 1,000,000 profiles (seeds.md). */
export const REPLACED_PLATFORM_SECONDS: Record<DestinationName, number> = {
	'campaign-monitor': 20 * 60,
	'constant-contact': 60 * 60,
	'active-campaign': 90 * 60,
	omnisend: 240 * 60,
};

/** Scales at which each floor for 1,000,000 contacts is about 3–5 minutes, so fixed overheads cannot hide. */
export const DEFAULT_SCALE: Record<DestinationName, number> = {
	'campaign-monitor': 4,
	'constant-contact': 0.1,
	'active-campaign': 10,
	omnisend: 6,
};
