import type { Step } from '@mono/runtime';
import type { HostResponse, ResponseBody } from '@mono/tsgi';
import type { FrameworkContext } from './context';

/**
 * Sends what the application returned: the head held until the first body bytes (or its `flush()`), each chunk as
 * it is produced under the gateway's window, `close()` always called. A body that throws fails the call
 * (FW_ERR_APPLICATION_FAILED, or FW_ERR_PROTOCOL_VIOLATION for a chunk that is not bytes), or aborts it once the
 * head is out; a call aborted by the gateway (its client left, FW_ERR_DEADLINE_EXCEEDED) closes the body at once.
 */
export function response(): Step<FrameworkContext> {
  return function responseStep(ctx) {
    void (ctx.response as HostResponse).send(ctx.body as ResponseBody);
  };
}
