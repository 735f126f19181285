/**
 * Keeps the POSTs of one (server, description) and the look-ups that resolve their ambiguous
 * outcomes apart. A look-up runs only while none of this client's POSTs of that kind awaits
 * its answer (and holds new ones back), so every backup it sees was either answered (and
 * known to the client) or made by an attempt whose answer is lost: it can never adopt a
 * backup whose own answer is still on its way to a concurrent caller.
 */
export class CreateGate {
  private postsInFlight = 0;
  private lookUps = 0;
  private lookUpsWaiting = 0;
  private wakers: Array<() => void> = [];

  /** True when nothing holds or waits for the gate. */
  get idle(): boolean {
    return (
      this.postsInFlight === 0 &&
      this.lookUps === 0 &&
      this.lookUpsWaiting === 0 &&
      this.wakers.length === 0
    );
  }

  /** Waits until no look-up runs or waits, then counts one POST in flight. */
  async enterPost(): Promise<void> {
    // Waiting look-ups go first, or a steady stream of POSTs could starve them.
    while (this.lookUps > 0 || this.lookUpsWaiting > 0) await this.changed();
    this.postsInFlight += 1;
  }

  /** Marks a POST entered with {@link enterPost} as answered (or failed). */
  leavePost(): void {
    this.postsInFlight -= 1;
    this.wake();
  }

  /** Runs `run` once no POST is in flight, holding new POSTs back until it ends. */
  async lookUp<T>(run: () => Promise<T>): Promise<T> {
    this.lookUpsWaiting += 1;
    try {
      while (this.postsInFlight > 0) await this.changed();
    } finally {
      this.lookUpsWaiting -= 1;
    }
    this.lookUps += 1;
    try {
      return await run();
    } finally {
      this.lookUps -= 1;
      this.wake();
    }
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}
