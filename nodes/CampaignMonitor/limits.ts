import type { DestinationLimits } from '../shared/adapter';

/**
 * Campaign Monitor (createsend API v3.3). Bulk import takes at most 1000 subscribers per call
 * (campaignmonitor.com/api/v3-3/subscribers, "Importing many subscribers"). No numeric rate limit is
 * published: every answer carries X-RateLimit-Limit/Remaining/Reset and a 429 has no Retry-After, so
 * pacing follows those headers instead of a fixed client-side rate.
 */
export const CAMPAIGN_MONITOR_LIMITS: DestinationLimits = {
	maxContactsPerRequest: 1000,
	// No byte limit is published; 10 MB is far above 1000 subscribers with 250-character custom fields.
	maxBytesPerRequest: 10_000_000,
	maxConcurrentRequests: 2,
	// No length is published for Name or EmailAddress: they are sent whole.
	fieldLimits: {
		customFieldValue: { maxLength: 250, source: 'campaignmonitor.com/api/v3-3/subscribers: "each custom field value has a data limit of 250 characters"' },
	},
};

export const CAMPAIGN_MONITOR_DEFAULT_BASE_URL = 'https://api.createsend.com/api/v3.3';
