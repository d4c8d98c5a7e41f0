import { useEffect, useState } from 'react';
import { countdown } from './time';

/** A live countdown to `at`, updated each second (Playwright's clock drives it in the tests). */
export function Countdown({ at }: { at: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <time className="countdown" dateTime={at} title={new Date(at).toISOString()}>
      {countdown(Date.parse(at), now)}
    </time>
  );
}
