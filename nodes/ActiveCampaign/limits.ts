import type { DestinationLimits } from '../shared/adapter';

/**
 * ActiveCampaign API v3 (developers.activecampaign.com: bulk-import-contacts, rate-limits).
 * bulk_import takes at most 250 contacts and 399,999 bytes per request. The account allows 5 requests
 * per second (shared by every key), 100 multi-contact bulk imports per minute and 20 single-contact
 * ones ("For requests containing a single contact, there is a limit of 20 requests per minute").
 * No field length is published (docs/destinations/activecampaign.md): the service's refusal of a
 * contact is reported as its reason.
 */
export const ACTIVE_CAMPAIGN_LIMITS: DestinationLimits = {
	maxContactsPerRequest: 250,
	maxBytesPerRequest: 400_000,
	requestsPerSecond: 5,
	importRequestsPerMinute: 100,
	singleImportRequestsPerMinute: 20,
	maxConcurrentRequests: 2,
	// No length or count limit is published for any contact field (bulk-import-contacts; the OpenAPI
	// definition has no maxLength): values are sent whole, and a refusal becomes the contact's reason.
	fieldLimits: {},
};
