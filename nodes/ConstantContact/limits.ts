import type { DestinationLimits } from '../shared/adapter';

/**
 * Constant Contact API v3 (developer.constantcontact.com: import_contacts, rate_limits).
 * contacts_json_import takes at most 40,000 contacts and "less than 4 MB" per request, and drops data
 * past 4 MB silently: requests stay under 4,000,000 bytes. 4 requests per second per application.
 * Refresh tokens may rotate (single use), so one request at a time: two 401s in flight would spend the
 * same refresh token twice.
 */
export const CONSTANT_CONTACT_LIMITS: DestinationLimits = {
	maxContactsPerRequest: 40_000,
	maxBytesPerRequest: 4_000_000,
	requestsPerSecond: 4,
	maxConcurrentRequests: 1,
};

/** Longest values the import keeps (JsonImportContact model of the API). */
export const CONSTANT_CONTACT_FIELD_LENGTHS: Record<string, number> = {
	email: 80,
	first_name: 50,
	last_name: 50,
	phone: 50,
	street: 255,
	city: 50,
	state: 50,
	zip: 50,
	country: 50,
	custom: 255,
};

/** "Each contact can contain up to 25 different custom fields." */
export const CONSTANT_CONTACT_MAX_CUSTOM_FIELDS = 25;

export const CONSTANT_CONTACT_DEFAULT_BASE_URL = 'https://api.cc.email/v3';
