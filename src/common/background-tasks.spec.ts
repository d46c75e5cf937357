import { BackgroundTasks } from './background-tasks';

describe('BackgroundTasks', () => {
  it('drain() waits for every task, failed ones included, and for tasks started while it waits', async () => {
    const tasks = new BackgroundTasks();
    const finished: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    tasks.run(gate.then(() => finished.push('first')));
    tasks.run(Promise.reject(new Error('push failed')));
    tasks.run(
      gate.then(() => {
        tasks.run(new Promise((r) => setTimeout(r, 20)).then(() => finished.push('late')));
        finished.push('second');
      }),
    );
    expect(tasks.size).toBe(3);
    const drained = tasks.drain().then(() => finished.push('drained'));
    await new Promise((r) => setTimeout(r, 10));
    expect(finished).toEqual([]);
    release();
    await drained;
    expect(finished).toEqual(['first', 'second', 'late', 'drained']);
    expect(tasks.size).toBe(0);
  });

  it('drain() with nothing under way resolves at once', async () => {
    await expect(new BackgroundTasks().drain()).resolves.toBeUndefined();
  });
});
