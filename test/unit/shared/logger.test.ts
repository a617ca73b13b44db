import { createLogger, isLogLevel } from '../../../shared/logger';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    component: 'svc',
    fields: { instance: 'a' },
    write: (l) => lines.push(l),
  });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with a string level, an ISO time, the component and the fields', () => {
    const { logger, lines, parsed } = capture();
    logger.warn('disk almost full', { partition: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\{"level":"warn",/);
    const [entry] = parsed();
    expect(entry).toEqual({
      level: 'warn',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      component: 'svc',
      instance: 'a',
      partition: 3,
      msg: 'disk almost full',
    });
  });

  it('drops lines below its level', () => {
    const { logger, parsed } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(parsed().map((e) => e.level)).toEqual(['warn', 'error']);
  });

  it('gives a child its own component and keeps the parent fields', () => {
    const { logger, lines, parsed } = capture();
    logger.child('kafkajs', { groupId: 'g' }).info('joined');
    expect(lines[0]!.match(/"component"/g)).toHaveLength(1);
    expect(parsed()[0]).toMatchObject({ component: 'kafkajs', instance: 'a', groupId: 'g', msg: 'joined' });
  });

  it('writes errors in any field as name, message, code and stack', () => {
    const { logger, parsed } = capture();
    const error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    logger.error('connect failed', { cause: error });
    expect(parsed()[0]!.cause).toEqual({
      name: 'Error',
      message: 'refused',
      code: 'ECONNREFUSED',
      stack: expect.stringContaining('refused'),
    });
  });

  it('knows its levels', () => {
    expect(['debug', 'info', 'warn', 'error'].every(isLogLevel)).toBe(true);
    expect(isLogLevel('trace')).toBe(false);
  });
});
