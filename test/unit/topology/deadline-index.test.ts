import { DeadlineIndex } from '../../../topology/deadline-index';

describe('DeadlineIndex', () => {
  it('returns due keys once and keeps the rest', () => {
    const index = new DeadlineIndex();
    index.set('a', 100);
    index.set('b', 200);
    index.set('c', 300);
    expect(index.due(200).sort()).toEqual(['a', 'b']);
    expect(index.due(200)).toEqual([]);
    expect(index.size).toBe(1);
  });

  it('replaces and clears deadlines', () => {
    const index = new DeadlineIndex();
    index.set('a', 100);
    index.set('a', 500);
    expect(index.due(200)).toEqual([]);
    index.set('a', null);
    expect(index.due(1000)).toEqual([]);
  });
});
