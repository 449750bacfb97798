/** A handful of stroke icons, inline so the CSP needs no img or font sources. */
const PATHS = {
  plus: 'M8 3v10M3 8h10',
  play: 'M5 3.5v9l7-4.5z',
  pause: 'M5.5 3.5v9M10.5 3.5v9',
  stop: 'M4 4h8v8H4z',
  copy: 'M5.5 5.5h7v7h-7zM3.5 10.5v-7h7',
  commit: 'M8 2.5v7M5 6.5l3 3 3-3M3 12.5h10',
  undo: 'M5.5 4L3 6.5 5.5 9M3 6.5h6.5a3 3 0 010 6H7',
  trash: 'M3.5 4.5h9M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5',
  refresh: 'M12.5 8a4.5 4.5 0 11-1.3-3.2M12.5 3v2.5H10',
  close: 'M4 4l8 8M12 4l-8 8',
  file: 'M4.5 2.5h5l2.5 2.5v8.5h-7.5zM9.5 2.5V5H12',
  chevron: 'M6 4l4 4-4 4',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { readonly name: IconName }) {
  return (
    <svg className="icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
