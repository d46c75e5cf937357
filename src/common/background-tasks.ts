/**
 * Work a service starts after answering (a webhook push and the recording of its outcome). drain() waits for
 * all of it: services call it before the application shuts down, while the database connection is still open.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<unknown>>();

  run(task: Promise<unknown>): void {
    const tracked = task.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  get size(): number {
    return this.pending.size;
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
