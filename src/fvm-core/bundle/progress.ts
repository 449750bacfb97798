/** Byte progress of a long transfer, passed on at most once per percent (events cross IPC). */
export function perPercent(fn: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
    if (pct === last && done < total) return;
    last = pct;
    fn(done, total);
  };
}
