import { MirrorMemory } from '../../../adapters/thingsboard/mirror-memory';

const device = (type: string) => ({ connectedEpoch: 1, type, attributes: {} });

describe('MirrorMemory', () => {
  it('keeps the most recently mirrored devices, up to its bound', () => {
    const memory = new MirrorMemory(2);
    memory.set('a', device('x'));
    memory.set('b', device('x'));
    memory.set('a', device('y')); // a is now the most recent
    memory.set('c', device('x')); // b, the least recent, is forgotten
    expect(memory.ids()).toEqual(['a', 'c']);
    expect(memory.get('a')?.type).toBe('y');
    expect(memory.get('b')).toBeUndefined();
    memory.set('a', undefined);
    expect(memory.ids()).toEqual(['c']);
    memory.clear();
    expect(memory.ids()).toEqual([]);
  });
});
