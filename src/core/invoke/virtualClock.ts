/**
 * Simulated AWS time. Timers fire in simulated-time order; `scale` is simulated seconds per wall second:
 * 1 is real time, 60 turns AWS's one-minute retry delay into one wall second, Infinity is instant (the clock
 * jumps to the next timer as soon as no work is in flight, so runs are deterministic).
 *
 * The scale compresses waiting, never running: while tracked work (a handler running, a batch being delivered) is
 * in flight, a finite clock moves at wall speed. A 1.5 s handler thus takes 1.5 simulated seconds at any scale and
 * cannot outlive a 30 s visibility timeout it would outlive at scale 1000 (SQS-2).
 */
import { performance } from 'node:perf_hooks';

export type TimerCallback = () => unknown;

interface Timer {
  id: number;
  time: number;
  seq: number;
  fn: TimerCallback;
  /** A deadline that waits for someone else: it fires when time passes it, but never makes time jump to it. */
  passive?: boolean;
}

export interface VirtualClockOptions {
  /** Simulated seconds per wall second; Infinity (default) = instant. */
  scale?: number;
  /** Simulated start time, ms since the epoch (default: now). */
  start?: number;
}

export class VirtualClock {
  private scaleValue: number;
  private simAnchor: number;
  private wallAnchor = performance.now();
  private readonly heap: Timer[] = [];
  /** Passive timers (`deadline`), by time: few, kept sorted. */
  private readonly deadlines: Timer[] = [];
  private readonly cancelled = new Set<number>();
  private readonly live = new Set<number>();
  private nextId = 1;
  private seq = 0;
  private inFlight = 0;
  private kickScheduled = false;
  private realTimeout: NodeJS.Timeout | undefined;
  private idleWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private firstError: unknown;
  private disposed = false;

  constructor(options: VirtualClockOptions = {}) {
    const scale = options.scale ?? Infinity;
    VirtualClock.checkScale(scale);
    this.scaleValue = scale;
    this.simAnchor = options.start ?? Date.now();
  }

  private static checkScale(scale: number): void {
    if (!(scale > 0)) throw new RangeError(`Time scale must be a positive number or Infinity, got ${scale}.`);
  }

  get scale(): number {
    return this.scaleValue;
  }

  get instant(): boolean {
    return !Number.isFinite(this.scaleValue);
  }

  /** Simulated time, ms since the epoch. */
  now(): number {
    if (this.instant) return this.simAnchor;
    return this.simAnchor + (performance.now() - this.wallAnchor) * this.rate;
  }

  /** Simulated ms per wall ms right now: the scale while nothing runs, real time while work is in flight. */
  private get rate(): number {
    return this.inFlight > 0 ? 1 : this.scaleValue;
  }

  /** Fixes the simulated time reached so far before the rate changes. */
  private reanchor(): void {
    this.simAnchor = this.now();
    this.wallAnchor = performance.now();
  }

  setScale(scale: number): void {
    VirtualClock.checkScale(scale);
    this.reanchor();
    this.scaleValue = scale;
    this.kick();
  }

  /** Moves simulated time forward to at least `time` (used when reopening a store: time never goes back). */
  advanceTo(time: number): void {
    if (time > this.now()) {
      this.simAnchor = time;
      this.wallAnchor = performance.now();
    }
  }

  /** Runs `fn` at simulated time `time` (or at once, in order, when that is already past). */
  at(time: number, fn: TimerCallback): number {
    if (this.disposed) throw new Error('The virtual clock is disposed.');
    const timer: Timer = { id: this.nextId++, time, seq: this.seq++, fn };
    this.push(timer);
    this.kick();
    return timer.id;
  }

  after(delayMs: number, fn: TimerCallback): number {
    return this.at(this.now() + delayMs, fn);
  }

  /**
   * Runs `fn` once simulated time reaches `time`, without ever making time jump there: a deadline that waits for
   * someone else (a callback's timeout). At the instant scale it fires when other timers move time past it; at a
   * finite scale when the time comes. runUntilIdle does not wait for it.
   */
  deadline(time: number, fn: TimerCallback): number {
    if (this.disposed) throw new Error('The virtual clock is disposed.');
    const timer: Timer = { id: this.nextId++, time, seq: this.seq++, fn, passive: true };
    let i = this.deadlines.length;
    while (i > 0 && !this.less(this.deadlines[i - 1], timer)) i--;
    this.deadlines.splice(i, 0, timer);
    this.kick();
    return timer.id;
  }

  cancel(id: number): void {
    const d = this.deadlines.findIndex((t) => t.id === id);
    if (d >= 0) this.deadlines.splice(d, 1);
    else if (this.live.has(id)) this.cancelled.add(id);
  }

  /**
   * Counts `work` as in flight: instant time does not move while work runs, finite time moves at wall speed (the
   * scale compresses waiting, not running), and runUntilIdle waits for it.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.enter();
    work.then(
      () => this.leave(),
      (error: unknown) => {
        this.firstError ??= error;
        this.leave();
      },
    );
    return work;
  }

  /**
   * Tracked work that waits for `wait` stops counting as in flight until it settles: work that waits for other work
   * on the clock (an event source mapping waiting for a durable execution's waits, DURABLE-14) would otherwise stop
   * the time it waits for. Only for work this clock tracks.
   */
  async untracked<T>(wait: Promise<T>): Promise<T> {
    this.leave();
    try {
      return await wait;
    } finally {
      this.enter();
    }
  }

  /** One more piece of work in flight: the first switches a finite clock to wall speed. */
  private enter(): void {
    if (this.inFlight === 0) this.reanchor();
    this.inFlight++;
    if (this.inFlight === 1 && !this.instant) this.kick();
  }

  /** One piece of work less in flight: the last switches a finite clock back to the scale. */
  private leave(): void {
    if (this.inFlight === 1) this.reanchor();
    this.inFlight--;
    if (this.inFlight === 0) this.kick();
  }

  get pendingTimers(): number {
    return this.heap.length - this.cancelled.size;
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Resolves when no timer is pending and no work is in flight; rejects with the first error a timer's work threw. */
  runUntilIdle(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.idleWaiters.push({ resolve, reject });
      this.kick();
    });
  }

  dispose(): void {
    this.disposed = true;
    if (this.realTimeout) clearTimeout(this.realTimeout);
    this.heap.length = 0;
    this.deadlines.length = 0;
    this.live.clear();
    this.cancelled.clear();
  }

  private kick(): void {
    if (this.kickScheduled || this.disposed) return;
    this.kickScheduled = true;
    // Let promise continuations settle first: they may add timers or work.
    setImmediate(() => {
      this.kickScheduled = false;
      this.drive();
    });
  }

  private drive(): void {
    if (this.disposed) return;
    this.dropCancelledHead();
    if (this.instant) {
      // Timers due now fire at once, even while work runs (a poller freed by one batch starts the next without
      // waiting for the others); time itself only jumps to the next timer once no work is in flight.
      if (this.deadlines.length > 0 && this.deadlines[0].time <= this.simAnchor) {
        this.fireDeadlines(this.simAnchor);
        this.kick();
        return;
      }
      if (this.heap.length > 0 && (this.heap[0].time <= this.simAnchor || this.inFlight === 0)) {
        const time = this.heap[0].time;
        // Time moving on to a timer stops at each deadline on the way, which fires at its own time.
        if (this.deadlines.length > 0 && this.deadlines[0].time < time) {
          this.simAnchor = Math.max(this.simAnchor, this.deadlines[0].time);
          this.fireDeadlines(this.simAnchor);
          this.kick();
          return;
        }
        if (time > this.simAnchor) this.simAnchor = time;
        this.fireDue(this.simAnchor);
        this.kick();
        return;
      }
    } else {
      this.fireDue(this.now());
      this.fireDeadlines(this.now());
      this.dropCancelledHead();
      if (this.realTimeout) clearTimeout(this.realTimeout);
      this.realTimeout = undefined;
      const next = Math.min(this.heap[0]?.time ?? Infinity, this.deadlines[0]?.time ?? Infinity);
      if (next < Infinity) {
        const wait = Math.max(0, (next - this.now()) / this.rate);
        this.realTimeout = setTimeout(() => this.drive(), Math.min(wait, 2 ** 31 - 1));
        // Deadlines alone do not keep a process alive.
        if (this.heap.length === 0) this.realTimeout.unref();
      }
    }
    this.settleIdle();
  }

  private fireDue(time: number): void {
    while (this.heap.length > 0 && this.heap[0].time <= time) {
      const timer = this.pop();
      if (this.cancelled.delete(timer.id)) continue;
      try {
        const result = timer.fn();
        if (result instanceof Promise) void this.track(result);
      } catch (error) {
        this.firstError ??= error;
      }
    }
  }

  private fireDeadlines(time: number): void {
    while (this.deadlines.length > 0 && this.deadlines[0].time <= time) {
      const timer = this.deadlines.shift()!;
      try {
        const result = timer.fn();
        if (result instanceof Promise) void this.track(result);
      } catch (error) {
        this.firstError ??= error;
      }
    }
  }

  private settleIdle(): void {
    if (this.inFlight > 0 || this.heap.length > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    const error = this.firstError;
    this.idleWaiters = [];
    this.firstError = undefined;
    for (const w of waiters) {
      if (error !== undefined) w.reject(error);
      else w.resolve();
    }
  }

  private dropCancelledHead(): void {
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0].id)) this.cancelled.delete(this.pop().id);
  }

  private less(a: Timer, b: Timer): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    this.live.add(timer.id);
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Timer {
    const h = this.heap;
    const top = h[0];
    this.live.delete(top.id);
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
