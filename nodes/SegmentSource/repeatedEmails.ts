/**
 * How many rows hold each normalised e-mail address, kept by 64-bit fingerprint in typed arrays
 * (10 bytes a slot, at most 4 slots for 3 addresses, against ~100 bytes an address for a Map of
 * strings): the first pass over a large file remembers a million addresses in ~20 MB. Two addresses
 * sharing a fingerprint (odds about 1 in 10^7 at a million) only make their rows wait to be merged by
 * their real address until the end: never a wrong merge. Counts stop at 65,535 (then the rows wait
 * until the end too).
 */
export class RepeatedEmails {
	private high = new Uint32Array(1 << 16);
	private low = new Uint32Array(1 << 16);
	/** Rows counted; 0 for an empty slot. */
	private seen = new Uint16Array(1 << 16);
	private used = 0;
	/** Addresses seen more than once. */
	repeated = 0;

	/** Counts one more row with this address. */
	add(email: string): void {
		const [high, low] = fingerprint(email);
		const slot = this.find(high, low);
		const seen = this.seen[slot];
		if (seen === 0) {
			this.high[slot] = high;
			this.low[slot] = low;
			this.seen[slot] = 1;
			if (++this.used * 4 > this.seen.length * 3) this.grow();
			return;
		}
		if (seen === 1) this.repeated++;
		if (seen < 0xffff) this.seen[slot] = seen + 1;
	}

	/** Rows counted with this address (with its fingerprint), 0 when none. */
	rows(email: string): number {
		const [high, low] = fingerprint(email);
		return this.seen[this.find(high, low)];
	}

	/** Whether the address was counted in more than one row. */
	repeats(email: string): boolean {
		return this.rows(email) > 1;
	}

	/** The slot holding the fingerprint, or the empty slot where it belongs (linear probing). */
	private find(high: number, low: number): number {
		const mask = this.seen.length - 1;
		for (let slot = low & mask; ; slot = (slot + 1) & mask) {
			if (this.seen[slot] === 0 || (this.high[slot] === high && this.low[slot] === low)) return slot;
		}
	}

	private grow(): void {
		const { high, low, seen } = this;
		this.high = new Uint32Array(seen.length * 2);
		this.low = new Uint32Array(seen.length * 2);
		this.seen = new Uint16Array(seen.length * 2);
		for (let slot = 0; slot < seen.length; slot++) {
			if (seen[slot] === 0) continue;
			const at = this.find(high[slot], low[slot]);
			this.high[at] = high[slot];
			this.low[at] = low[slot];
			this.seen[at] = seen[slot];
		}
	}
}

/** Two independent 32-bit hashes of the text (FNV-1a and a multiply-xorshift), as one 64-bit fingerprint. */
function fingerprint(text: string): [number, number] {
	let a = 0x811c9dc5;
	let b = 0x9747b28c;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		a = Math.imul(a ^ code, 0x01000193);
		b = Math.imul(b ^ code, 0x5bd1e995);
		b ^= b >>> 15;
	}
	a ^= a >>> 16;
	a = Math.imul(a, 0x85ebca6b);
	a ^= a >>> 13;
	return [b >>> 0, a >>> 0];
}
