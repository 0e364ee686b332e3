// A sliding one-second window over Graph requests, standing in for Graph's (undocumented for Cloud PC) throttling.

export class RateLimiter {
    private accepted: number[] = [];

    /** Returns true when the request may proceed; only accepted requests fill the window, so a client that honours Retry-After gets through. */
    admit(requestsPerSecond: number, now = Date.now()): boolean {
        const windowStart = now - 1000;
        while (this.accepted.length > 0 && this.accepted[0]! <= windowStart) this.accepted.shift();
        if (this.accepted.length >= requestsPerSecond) return false;
        this.accepted.push(now);
        return true;
    }

    reset(): void {
        this.accepted = [];
    }
}
