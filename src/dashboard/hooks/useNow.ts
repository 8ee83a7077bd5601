/** The current time, re-read every `intervalMs` (for ticking uptimes and "ago" labels). */
import { useEffect, useState } from "preact/hooks";

export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
