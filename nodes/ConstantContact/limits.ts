import type { DestinationLimits, FieldLimit } from '../shared/adapter';

const JSON_IMPORT_CONTACT = 'Constant Contact v3 swagger (api.cc.email/v3/swagger.yaml), definitions.JsonImportContact';

/**
 * The import's field limits, one table: JsonImportContact's maxLength per field. The e-mail limit
 * (50, not the Contacts API's 80) is not subject to Long Values: a longer address is rejected before
 * sending, since a cut address is another address.
 */
export const CONSTANT_CONTACT_FIELD_LIMITS: Record<string, FieldLimit> = {
	email: { maxLength: 50, source: `${JSON_IMPORT_CONTACT}.email: maxLength 50` },
	first_name: { maxLength: 50, source: `${JSON_IMPORT_CONTACT}.first_name: maxLength 50` },
	last_name: { maxLength: 50, source: `${JSON_IMPORT_CONTACT}.last_name: maxLength 50` },
	phone: { maxLength: 50, source: `${JSON_IMPORT_CONTACT}.phone: maxLength 50` },
	street: { maxLength: 255, source: `${JSON_IMPORT_CONTACT}.street: maxLength 255` },
	city: { maxLength: 50, source: `${JSON_IMPORT_CONTACT}.city: maxLength 50` },
	state: { maxLength: 50, source: `${JSON_IMPORT_CONTACT}.state: maxLength 50` },
	zip: { maxLength: 50, source: `${JSON_IMPORT_CONTACT}.zip: maxLength 50` },
	country: { maxLength: 50, source: `${JSON_IMPORT_CONTACT}.country: maxLength 50` },
	custom: { maxLength: 255, source: `${JSON_IMPORT_CONTACT}["cf:custom_field_name"]: maxLength 255` },
};

/**
 * Constant Contact API v3 (developer.constantcontact.com: import_contacts, rate_limits).
 * contacts_json_import takes at most 40,000 contacts and "less than 4 MB" per request, and drops data
 * past 4 MB silently: requests stay under 4,000,000 bytes. 4 requests per second per application.
 * Refresh tokens may rotate (single use), so one request at a time: two 401s in flight would spend the
 * same refresh token twice. n8n-core 2.41 itself refreshes under a per-credential lease (in process,
 * and through Redis across queue-mode workers) and re-reads the stored token first, which covers
 * that (test:queue: two workers on one credential, 0 reuses); the rule stays until concurrent requests
 * in one process pass this package's rotating-token tests: with 4 in flight the mid-export expiry
 * test reuses no refresh token but ends in a 401 reaching the node, not yet explained.
 */
export const CONSTANT_CONTACT_LIMITS: DestinationLimits = {
	maxContactsPerRequest: 40_000,
	maxBytesPerRequest: 4_000_000,
	requestsPerSecond: 4,
	maxConcurrentRequests: 1,
	fieldLimits: CONSTANT_CONTACT_FIELD_LIMITS,
};

/** "Each contact can contain up to 25 different custom fields." */
export const CONSTANT_CONTACT_MAX_CUSTOM_FIELDS = 25;

export const CONSTANT_CONTACT_DEFAULT_BASE_URL = 'https://api.cc.email/v3';
