/**
 * A windowed list: only the rows in view (plus a few) exist in the DOM, so 100,000 rows cost
 * what 40 do. Fixed row height; rows are placed with transforms inside one tall spacer.
 *
 * Keyboard: the list is one tab stop; arrows, Page Up/Down, Home/End move the active row
 * (aria-activedescendant), Space or Enter calls `onActivate`.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly getKey: (item: T) => string;
  readonly renderRow: (item: T, index: number, active: boolean) => ReactNode;
  readonly label: string;
  readonly activeIndex: number;
  readonly onActiveIndexChange: (index: number) => void;
  readonly onActivate?: (item: T, index: number) => void;
  readonly isSelected?: (item: T) => boolean;
  readonly overscan?: number;
  readonly className?: string;
  /** The view follows new rows at the end while it is scrolled to the bottom. */
  readonly followTail?: boolean;
}

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, getKey, renderRow, label, activeIndex, onActiveIndexChange, onActivate, isSelected, overscan = 8, className, followTail = false } = props;
  const ref = useRef<HTMLDivElement>(null);
  const idPrefix = useId();
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(0);
  const frame = useRef<number | null>(null);
  // Follow only once the user has scrolled to the end themselves; a first load stays at the top.
  const atBottom = useRef(false);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const onScroll = useCallback(() => {
    // One state update per animation frame, however fast the wheel spins.
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const el = ref.current;
      if (!el) return;
      atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
      setScrollTop(el.scrollTop);
    });
  }, [rowHeight]);

  const total = items.length * rowHeight;
  useLayoutEffect(() => {
    const el = ref.current;
    if (followTail && el && atBottom.current && el.scrollHeight > el.clientHeight) el.scrollTop = el.scrollHeight;
  }, [followTail, total]);

  const scrollIntoView = useCallback(
    (index: number) => {
      const el = ref.current;
      if (!el) return;
      const top = index * rowHeight;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
    },
    [rowHeight],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (items.length === 0) return;
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const current = Math.min(Math.max(activeIndex, 0), items.length - 1);
    let next: number | null = null;
    switch (event.key) {
      case 'ArrowDown':
        next = activeIndex < 0 ? 0 : Math.min(items.length - 1, current + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, current - 1);
        break;
      case 'PageDown':
        next = Math.min(items.length - 1, current + page);
        break;
      case 'PageUp':
        next = Math.max(0, current - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = items.length - 1;
        break;
      case ' ':
      case 'Enter':
        if (activeIndex >= 0 && activeIndex < items.length && onActivate) {
          event.preventDefault();
          onActivate(items[activeIndex], activeIndex);
        }
        return;
      default:
        return;
    }
    event.preventDefault();
    onActiveIndexChange(next);
    scrollIntoView(next);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const item = items[i];
    const active = i === activeIndex;
    rows.push(
      <div
        key={getKey(item)}
        id={`${idPrefix}-${i}`}
        role="option"
        aria-selected={isSelected ? isSelected(item) : active}
        aria-posinset={i + 1}
        aria-setsize={items.length}
        className={active ? 'vrow vrow-active' : 'vrow'}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}
        onMouseDown={() => onActiveIndexChange(i)}
      >
        {renderRow(item, i, active)}
      </div>,
    );
  }

  const activeId = activeIndex >= first && activeIndex < last ? `${idPrefix}-${activeIndex}` : undefined;
  return (
    <div
      ref={ref}
      className={className ? `vlist ${className}` : 'vlist'}
      role="listbox"
      aria-label={label}
      aria-multiselectable={isSelected ? true : undefined}
      aria-activedescendant={activeId}
      tabIndex={0}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
    >
      <div className="vlist-spacer" style={{ height: total }}>
        {rows}
      </div>
    </div>
  );
}
