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
	maxConcurrentRequests: 2,
};

export const OMNISEND_DEFAULT_BASE_URL = 'https://api.omnisend.com/api';

/**
 * Status date given to new contacts' e-mail status unless existing contacts are to be updated too.
 * Omnisend ignores a status older than the one it holds, so a contact who opted out (or in) later
 * keeps that status; a contact Omnisend does not know yet takes the status we send.
 */
export const OMNISEND_NEW_CONTACT_STATUS_DATE = '2000-01-01T00:00:00Z';
