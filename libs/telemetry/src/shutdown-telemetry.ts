import { trace, type TracerProvider } from '@opentelemetry/api';

/**
 * Flushes what is queued and stops the SDK, giving up after `timeoutMs` (an unreachable collector must not hold
 * a stopping service). Works from any bundle: the provider is found through the global API.
 */
export async function shutdownTelemetry(timeoutMs = 1_000): Promise<void> {
  const delegate = (trace.getTracerProvider() as TracerProvider & { getDelegate?: () => unknown }).getDelegate?.();
  if (!(delegate instanceof Object) || typeof (delegate as { shutdown?: unknown }).shutdown !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    (delegate as { shutdown(): Promise<void> }).shutdown().catch(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
