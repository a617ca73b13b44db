import { Supervisor } from '../../../scripts/supervisor';
import { waitFor } from '../../support/wait';

/** npm start's supervision with real child processes (short-lived `node -e` scripts). */
describe('Supervisor', () => {
  let supervisor: Supervisor;
  afterEach(() => supervisor.stopAll());

  it('restarts a child that dies, says so, and leaves the others running', async () => {
    const said: string[] = [];
    const fatal: string[] = [];
    supervisor = new Supervisor(
      (m) => said.push(m),
      (r) => fatal.push(r),
    );
    supervisor.start({ name: 'crasher', args: [process.execPath, '-e', 'process.exit(3)'], env: {} });
    supervisor.start({
      name: 'steady',
      args: [process.execPath, '-e', 'setInterval(() => undefined, 1000)'],
      env: {},
    });
    await waitFor('a restart', () => said.some((m) => m.startsWith('crasher restarted')), {
      timeoutMs: 20_000,
    });
    expect(said[0]).toMatch(
      /^crasher exited \(code 3\) after \d+ s; restarting it in 1 s \(restart 1\); the rest keeps running$/,
    );
    await waitFor(
      'the second, longer backoff',
      () => said.some((m) => m.includes('restarting it in 2 s (restart 2)')),
      {
        timeoutMs: 20_000,
      },
    );
    expect(said.filter((m) => m.startsWith('steady'))).toEqual([]);
    expect(fatal).toEqual([]);
  });

  it('stops the stack when a program cannot be started at all', async () => {
    const fatal: string[] = [];
    supervisor = new Supervisor(
      () => undefined,
      (r) => fatal.push(r),
    );
    supervisor.start({ name: 'mosquitto', args: ['twinfold-no-such-program'], env: {} });
    await waitFor('the fatal report', () => fatal.length > 0);
    expect(fatal).toEqual(['mosquitto: twinfold-no-such-program is not installed']);
  });
});
