/**
 * Which normalised e-mail addresses occur in more than one row, kept as 64-bit fingerprints in typed
 * arrays (about 24 bytes an address, against ~100 for a Map of strings): the first pass over a large
 * file remembers a million addresses in ~25 MB. Two addresses sharing a fingerprint (odds about 1 in
 * 10^7 at a million) only make their rows wait to be merged by their real address: never a wrong merge.
 */
export class RepeatedEmails {
	private high = new Uint32Array(1 << 16);
	private low = new Uint32Array(1 << 16);
	/** 0 empty, 1 seen once, 2 seen again. */
	private seen = new Uint8Array(1 << 16);
	private used = 0;
	/** Addresses seen more than once. */
	repeated = 0;

	/** Counts one more row with this address. */
	add(email: string): void {
		const [high, low] = fingerprint(email);
		const slot = this.find(high, low);
		if (this.seen[slot] === 0) {
			this.high[slot] = high;
			this.low[slot] = low;
			this.seen[slot] = 1;
			if (++this.used * 2 > this.seen.length) this.grow();
		} else if (this.seen[slot] === 1) {
			this.seen[slot] = 2;
			this.repeated++;
		}
	}

	/** Whether the address was counted in more than one row. */
	repeats(email: string): boolean {
		const [high, low] = fingerprint(email);
		return this.seen[this.find(high, low)] === 2;
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
		this.seen = new Uint8Array(seen.length * 2);
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
