import type { DestinationCase } from '../test/destinations';
import { destinationBySlug, DESTINATIONS } from '../test/destinations';

export type DestinationName = DestinationCase['slug'];

/** Every destination of the registry, by the name the benchmark uses. */
export const DESTINATION_NAMES: DestinationName[] = DESTINATIONS.map((destination) => destination.slug);

/**
 * The time the service's limits allow for the import requests an export cannot avoid: `requests`
 * requests (count and byte limits honoured) at the scaled rate, plus, for asynchronous services, the
 * modelled processing of the last job. Polling, discovery and retries are not in the floor. Each
 * destination's own rule lives in the registry (test/destinations.ts), next to its sandbox's limits.
 */
export function floorSeconds(destination: DestinationName, requests: number, lastBatchContacts: number, scale: number): number {
	return destinationBySlug(destination).bench.floorMs(requests, lastBatchContacts) / 1000 / scale;
}

export const CONTACTS_PER_REQUEST = (destination: DestinationName) => destinationBySlug(destination).bench.contactsPerRequest;
export const REPLACED_PLATFORM_SECONDS = (destination: DestinationName) => destinationBySlug(destination).bench.replacedPlatformSeconds;
/** Scales at which each floor for 1,000,000 contacts is about 3–5 minutes, so fixed overheads cannot hide. */
export const DEFAULT_SCALE = (destination: DestinationName) => destinationBySlug(destination).bench.defaultScale;

/** The value after `--name` on the command line, if any. */
export function argValue(name: string): string | undefined {
	const argv = process.argv.slice(2);
	const at = argv.indexOf(`--${name}`);
	return at >= 0 ? argv[at + 1] : undefined;
}

/** `--destination NAME[,NAME]|all` (all when absent), checked against the registry. */
export function destinationsArg(): DestinationName[] {
	const destination = argValue('destination') ?? 'all';
	const destinations = destination === 'all' ? DESTINATION_NAMES : destination.split(',').map((d) => d.trim() as DestinationName);
	for (const d of destinations) if (!DESTINATION_NAMES.includes(d)) throw new Error(`Unknown destination ${d}; use one of ${DESTINATION_NAMES.join(', ')} or all`);
	return destinations;
}
