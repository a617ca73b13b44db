import { type Draft, emit, update, withOptional } from './draft';
import type { ErrorInput } from '../../shared/inputs';
import { deepEqual } from './json';
import { copyJson } from './merge';
import type { TwinErrorReport } from './model';

/** A device error report becomes `lastError` and an `alert` event (unless it is an exact replay). */
export function recordDeviceError(draft: Draft, input: ErrorInput): void {
  const report: TwinErrorReport = {
    code: input.errorCode,
    message: input.message,
    ...(input.details === undefined ? {} : { details: copyJson(input.details) }),
    timestamp: draft.nowMs,
  };
  if (deepEqual(report, draft.state.lastError)) return;
  update(draft, { lastError: report });
  emit(
    draft,
    'alert',
    withOptional(
      { source: 'device', code: report.code, message: report.message },
      { details: report.details },
    ),
  );
}
