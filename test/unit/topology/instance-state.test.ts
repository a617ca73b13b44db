import { InstanceStateMachine, type InstanceState } from '../../../topology/instance-state';

describe('InstanceStateMachine', () => {
  it('walks the normal life of an instance and reports each change', () => {
    const sm = new InstanceStateMachine();
    const seen: [InstanceState, InstanceState][] = [];
    sm.on('change', (to, from) => seen.push([from, to]));
    for (const s of ['rebalancing', 'restoring', 'running', 'rebalancing', 'running', 'stopped'] as const)
      sm.moveTo(s);
    expect(seen).toEqual([
      ['created', 'rebalancing'],
      ['rebalancing', 'restoring'],
      ['restoring', 'running'],
      ['running', 'rebalancing'],
      ['rebalancing', 'running'],
      ['running', 'stopped'],
    ]);
  });

  it('refuses transitions the diagram does not allow', () => {
    const sm = new InstanceStateMachine();
    expect(() => sm.moveTo('running')).toThrow(/created -> running/);
    sm.moveTo('error');
    expect(sm.canMoveTo('running')).toBe(false);
    sm.moveTo('stopped');
    expect(() => sm.moveTo('rebalancing')).toThrow(/illegal/);
  });

  it('treats a move to the current state as a no-op', () => {
    const sm = new InstanceStateMachine();
    let changes = 0;
    sm.on('change', () => (changes += 1));
    sm.moveTo('created');
    expect(changes).toBe(0);
  });
});
