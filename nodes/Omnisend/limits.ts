import type { DestinationLimits } from '../shared/adapter';

/**
 * Omnisend API 2026-03-15 (api-docs.omnisend.com: post_batches, rate limits). A batch takes at most
 * 100 items; the brand allows 400 requests per minute, polling included. No body size is published:
 * 2 MB is assumed, far above 100 contacts.
 */
export const OMNISEND_LIMITS: DestinationLimits = {
	maxContactsPerRequest: 100,
	maxBytesPerRequest: 2_000_000,
	requestsPerMinute: 400,
	// "/contacts/tags | POST, DELETE | 60 requests / minute" (rate-limit page); Mirror's tag removals.
	removalRequestsPerMinute: 60,
	maxConcurrentRequests: 2,
	// Only the tags have a published limit; no contact field has a maxLength in the OpenAPI, so other
	// values are sent whole and Omnisend's refusal of an item becomes its reason.
	fieldLimits: {
		tags: { maxItems: 100, source: 'Omnisend contacts OpenAPI 2026-03-15, ContactRequest.tags: "maxItems": 100' },
	},
};

export const OMNISEND_DEFAULT_BASE_URL = 'https://api.omnisend.com/api';
