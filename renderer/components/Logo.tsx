/** The FVM mark: a feather-light box inside a box (the same drawing as resources/icons/fvm.svg). */
export function Logo({ size = 22 }: { readonly size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect x="4" y="4" width="56" height="56" rx="14" fill="#2454c7" />
      <rect x="15" y="15" width="34" height="34" rx="7" fill="none" stroke="#ffffff" strokeWidth="4" strokeDasharray="7 5" />
      <rect x="24" y="24" width="16" height="16" rx="3" fill="#9cc1ff" />
    </svg>
  );
}
