import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  count: number;
  rowHeight: number;
  /** A row: must carry `data-index` and hold one focusable element (its link). */
  row: (index: number) => ComponentChildren;
  label: string;
  /** Called when fewer than a screenful of rows remain below the viewport. */
  onNearEnd?: () => void;
}

const OVERSCAN = 8;

/**
 * Only the rows in view are in the DOM, so 10,000 twins cost what 30 do. Arrow keys, Page Up/Down,
 * Home and End move the focus from row to row, scrolling as needed.
 */
export function VirtualList({ count, rowHeight, row, label, onNearEnd }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const pendingFocus = useRef<number | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);

  useEffect(() => {
    if (onNearEnd && last >= count - Math.ceil(height / rowHeight)) onNearEnd();
  }, [last, count, height, rowHeight, onNearEnd]);

  const focusRow = (index: number): boolean => {
    const row = box.current?.querySelector<HTMLElement>(
      `[data-index="${index}"] a, [data-index="${index}"] button`,
    );
    row?.focus();
    return row != null;
  };

  // A row scrolled into view gets the focus once it is rendered.
  useEffect(() => {
    const index = pendingFocus.current;
    if (index !== null && focusRow(index)) pendingFocus.current = null;
  });

  const onKeyDown = (e: KeyboardEvent): void => {
    const el = box.current;
    const current = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!el || !current) return;
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const at = Number(current.dataset.index);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    let to: number;
    if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = count - 1;
    else if (moves[e.key] !== undefined) to = at + moves[e.key]!;
    else return;
    e.preventDefault();
    to = Math.max(0, Math.min(count - 1, to));
    const top = to * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight;
    if (!focusRow(to)) pendingFocus.current = to;
    setScrollTop(el.scrollTop);
  };

  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) rows.push(row(i));
  return (
    <div
      ref={box}
      class="vlist"
      role="rowgroup"
      aria-label={label}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
    >
      <div style={{ height: `${count * rowHeight}px`, position: 'relative' }}>
        <div style={{ transform: `translateY(${first * rowHeight}px)` }}>{rows}</div>
      </div>
    </div>
  );
}
