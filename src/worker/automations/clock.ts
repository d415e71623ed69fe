// The engine's sense of time. Every time it writes or compares (wait ends,
// retry backoff, re-entry windows, step timings) comes from a Clock, so tests
// can move time forward instead of sleeping.

export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

export type ControlledClock = Clock & {
	/** Moves time forward by `ms`. */
	advance(ms: number): void;
	/** Sets the time. */
	set(at: Date): void;
};

/** Starts at `start` (default: now) and moves only when told to. */
export function controlledClock(start: Date = new Date()): ControlledClock {
	let current = start.getTime();
	return {
		now: () => new Date(current),
		advance: (ms) => {
			current += ms;
		},
		set: (at) => {
			current = at.getTime();
		}
	};
}
