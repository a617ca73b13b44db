import { InputProgress } from '../../../../topology/task/input-progress';
import { TaskClock } from '../../../../topology/task/task-clock';

const WALL = 1_000_000;

function setUp() {
  const inputs = new InputProgress();
  let wall = WALL;
  const clock = new TaskClock(() => wall, inputs);
  return { inputs, clock, setWall: (ms: number) => (wall = ms) };
}

describe('InputProgress', () => {
  it('knows which fetched records are already folded, and never moves a position back', () => {
    const inputs = new InputProgress();
    expect(inputs.isFolded('t', '0')).toBe(false);
    inputs.observePosition('t', 10n, 12n);
    expect(inputs.isFolded('t', '9')).toBe(true);
    expect(inputs.isFolded('t', '10')).toBe(false);
    inputs.observePosition('t', 4n, 12n);
    expect(inputs.isFolded('t', '9')).toBe(true);
    expect(inputs.isFolded('other', '0')).toBe(false);
  });

  it('is lagging while some input has records beyond its next offset', () => {
    const inputs = new InputProgress();
    inputs.observePosition('a', 5n, 5n);
    expect(inputs.lagging).toBe(false);
    inputs.observePosition('b', 5n, 9n);
    expect(inputs.lagging).toBe(true);
    inputs.observePosition('b', 9n, 9n);
    expect(inputs.lagging).toBe(false);
  });
});

describe('TaskClock', () => {
  it('follows the wall clock while every input is caught up', () => {
    const { inputs, clock } = setUp();
    inputs.observePosition('t', 10n, 10n);
    inputs.observeRecord('t', 5);
    expect(clock.now()).toBe(WALL);
  });

  it('follows the input furthest behind while some lag, and holds while a lagging one has no time yet', () => {
    const { inputs, clock } = setUp();
    inputs.observePosition('a', 0n, 100n);
    expect(clock.now()).toBeUndefined();
    inputs.observeRecord('a', 500);
    inputs.observePosition('b', 50n, 60n);
    inputs.observeRecord('b', 300);
    inputs.observePosition('c', 7n, 7n);
    inputs.observeRecord('c', 900_000);
    expect(clock.now()).toBe(300);
    inputs.observePosition('b', 60n, 60n);
    expect(clock.now()).toBe(500);
  });

  it('never runs backwards, also when a caught-up task falls behind again', () => {
    const { inputs, clock, setWall } = setUp();
    inputs.observePosition('a', 5n, 5n);
    expect(clock.now()).toBe(WALL);
    inputs.observePosition('a', 6n, 9n);
    inputs.observeRecord('a', WALL - 10);
    expect(clock.now()).toBe(WALL);
    setWall(WALL - 1000);
    inputs.observePosition('a', 9n, 9n);
    expect(clock.now()).toBe(WALL);
  });
});
