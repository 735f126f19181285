/**
 * Counts the API requests the emulator answered, by method, route and status, so tests can
 * check how many mutating calls a client really made (for example that a create was not
 * repeated blindly). Control-endpoint requests are not counted.
 */

/** How a request ended: an HTTP status, or no answer at all. */
export type RequestOutcome = number | "dropped" | "hung";

/** One counter row. `route` is the contract's path pattern, e.g. `/backups/{backupId}/`. */
export interface RequestCount {
  method: string;
  route: string;
  status: RequestOutcome;
  count: number;
}

/** The counters. */
export class RequestCounter {
  private readonly counts = new Map<string, RequestCount>();

  /** Adds one request. */
  record(method: string, route: string, status: RequestOutcome): void {
    const key = `${method} ${route} ${status}`;
    const row = this.counts.get(key);
    if (row) row.count += 1;
    else this.counts.set(key, { method, route, status, count: 1 });
  }

  /** Every row, sorted by route, method, status. */
  rows(): RequestCount[] {
    return [...this.counts.values()]
      .map((row) => ({ ...row }))
      .sort(
        (a, b) =>
          a.route.localeCompare(b.route) ||
          a.method.localeCompare(b.method) ||
          String(a.status).localeCompare(String(b.status)),
      );
  }

  /** How many requests match; omitted criteria match everything. */
  count(filter: { method?: string; route?: string; status?: RequestOutcome } = {}): number {
    return this.rows()
      .filter(
        (row) =>
          (filter.method === undefined || row.method === filter.method.toUpperCase()) &&
          (filter.route === undefined || row.route === filter.route) &&
          (filter.status === undefined || row.status === filter.status),
      )
      .reduce((sum, row) => sum + row.count, 0);
  }

  /** Forgets every count. */
  clear(): void {
    this.counts.clear();
  }
}
