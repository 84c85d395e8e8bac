import type { DestinationLimits } from '../shared/adapter';

/**
 * ActiveCampaign API v3 (developers.activecampaign.com: bulk-import-contacts, rate-limits).
 * bulk_import takes at most 250 contacts and 399,999 bytes per request. The account allows 5 requests
 * per second (shared by every key) and 100 multi-contact bulk imports per minute.
 */
export const ACTIVE_CAMPAIGN_LIMITS: DestinationLimits = {
	maxContactsPerRequest: 250,
	maxBytesPerRequest: 400_000,
	requestsPerSecond: 5,
	importRequestsPerMinute: 100,
	maxConcurrentRequests: 2,
};
