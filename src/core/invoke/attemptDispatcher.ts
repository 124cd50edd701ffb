/**
 * Starts due attempts per function, at most as many at once as the function can run: the others wait here, in the
 * order they came due, and the next one starts in the same turn as a running one ends. Without it a burst of async
 * events would start every attempt at once, each then waiting inside the runtime for a free execution environment
 * (10,000 events: 10,000 pending invocations, each holding its payload, closures and a 'running' record).
 */
/** One function's attempts: how many run, and the ids waiting for one of them to end (read from `head` on). */
interface Lane {
  running: number;
  waiting: string[];
  head: number;
}

export class AttemptDispatcher {
  private readonly lanes = new Map<string, Lane>();
  private disposed = false;

  constructor(
    /** How many attempts of the function may run at once (Infinity: no limit). */
    private readonly limit: (functionName: string) => number,
    /** Runs one attempt. */
    private readonly run: (id: string) => Promise<void>,
    /** Counts work started here as in flight (the virtual clock's track), for an attempt started by another's end. */
    private readonly track: (work: Promise<void>) => void,
  ) {}

  /**
   * The attempt `id` of `functionName` is due: started now when the function has room (the work is returned, for the
   * caller to count as in flight), else queued behind the others (undefined).
   */
  offer(functionName: string, id: string): Promise<void> | undefined {
    if (this.disposed) return undefined;
    let lane = this.lanes.get(functionName);
    if (!lane) {
      lane = { running: 0, waiting: [], head: 0 };
      this.lanes.set(functionName, lane);
    }
    if (lane.running >= this.limit(functionName)) {
      lane.waiting.push(id);
      return undefined;
    }
    return this.start(functionName, lane, id);
  }

  /**
   * Starts nothing more (the engine is closing): the waiting ids are dropped, their events stay in the store for the
   * next opening; the attempts running end as they do.
   */
  dispose(): void {
    this.disposed = true;
    for (const lane of this.lanes.values()) {
      lane.waiting = [];
      lane.head = 0;
    }
  }

  /** Attempts running now (all functions, or one). */
  running(functionName?: string): number {
    if (functionName !== undefined) return this.lanes.get(functionName)?.running ?? 0;
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.running;
    return n;
  }

  /** Attempts due and waiting for a running one to end (all functions, or one). */
  waiting(functionName?: string): number {
    const count = (lane: Lane): number => lane.waiting.length - lane.head;
    if (functionName !== undefined) {
      const lane = this.lanes.get(functionName);
      return lane ? count(lane) : 0;
    }
    let n = 0;
    for (const lane of this.lanes.values()) n += count(lane);
    return n;
  }

  private start(functionName: string, lane: Lane, id: string): Promise<void> {
    lane.running++;
    let work: Promise<void>;
    try {
      work = this.run(id);
    } catch (error) {
      work = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // The next one starts before this work settles: the clock never sees the lane idle in between.
    return work.finally(() => {
      lane.running--;
      this.next(functionName, lane);
    });
  }

  private next(functionName: string, lane: Lane): void {
    while (!this.disposed && lane.head < lane.waiting.length && lane.running < this.limit(functionName)) {
      const id = lane.waiting[lane.head++];
      this.track(this.start(functionName, lane, id));
    }
    if (lane.head === lane.waiting.length) {
      lane.waiting = [];
      lane.head = 0;
      if (lane.running === 0) this.lanes.delete(functionName);
    } else if (lane.head > 1024 && lane.head * 2 > lane.waiting.length) {
      // Drop the ids already started now and then, so a long queue does not keep them all.
      lane.waiting = lane.waiting.slice(lane.head);
      lane.head = 0;
    }
  }
}
