/**
 * Test-only crash injection: when ORDERFLOW_FAULT_POINT names a point, reaching it kills
 * the process at once (SIGKILL, no cleanup), as a power cut would. Fault tests use it to
 * prove that a crash anywhere loses nothing. Unset, it does nothing.
 */
export function faultPoints(configured: string | undefined): ((point: string) => void) | undefined {
  if (configured === undefined) return undefined;
  return (point) => {
    if (point === configured) process.kill(process.pid, 'SIGKILL');
  };
}
