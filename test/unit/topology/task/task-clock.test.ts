import { TaskClock } from '../../../../topology/task/task-clock';

describe('TaskClock', () => {
  let wall = 1_000_000;
  const clock = (): TaskClock => new TaskClock(() => wall);
  beforeEach(() => (wall = 1_000_000));

  it('follows the wall clock while every input is caught up', () => {
    const c = clock();
    c.observePosition('t', 10n, 10n);
    c.observeRecord('t', 5);
    expect(c.lagging).toBe(false);
    expect(c.now()).toBe(wall);
  });

  it('follows the input furthest behind while some lag, and holds while a lagging one has no time yet', () => {
    const c = clock();
    c.observePosition('a', 0n, 100n);
    expect(c.now()).toBeUndefined();
    c.observeRecord('a', 500);
    c.observePosition('b', 50n, 60n);
    c.observeRecord('b', 300);
    c.observePosition('c', 7n, 7n);
    c.observeRecord('c', 900_000);
    expect(c.lagging).toBe(true);
    expect(c.now()).toBe(300);
    c.observePosition('b', 60n, 60n);
    expect(c.now()).toBe(500);
  });

  it('never runs backwards, also when a caught-up task falls behind again', () => {
    const c = clock();
    c.observePosition('a', 5n, 5n);
    expect(c.now()).toBe(wall);
    c.observePosition('a', 6n, 9n);
    c.observeRecord('a', wall - 10);
    expect(c.now()).toBe(wall);
    // A fetch of an older position never moves the next offset back.
    c.observePosition('a', 9n, 9n);
    c.observePosition('a', 3n, 9n);
    expect(c.lagging).toBe(false);
  });
});
