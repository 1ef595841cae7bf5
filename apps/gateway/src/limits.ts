import type { Limits } from '@mono/contracts';
import type { Step } from '@mono/runtime';
import { noLimits, requestHeadBytes, RequestLimits } from '@mono/transport';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import type { Mount } from './gateway-stats';

/**
 * Refuses, before a slot is taken, what the request's mount does not take: its limits are the gateway's own
 * (`limits.headers`, uWSGI's buffer-size; `limits.body`, its limit-post) or the smaller ones its pool's frameworks
 * announced (docs/adr/0014-limits-that-agree.md). A head beyond → GW_ERR_HEADERS_TOO_LARGE (431); a declared body
 * beyond → GW_ERR_BODY_TOO_LARGE (413) at once; a body of unknown length is held to it as it arrives: the first
 * byte beyond fails the call (413, or aborted once the head is out) and cancels the framework's, whose application's
 * input fails — never a truncated body. The edges in front know these limits and refuse first.
 */
export function limits(): Step<GatewayContext> {
  return function limitsStep(ctx, next) {
    const limits = (ctx.mount as Mount).limits;
    const { call } = ctx;
    if (limits.maxHeaderBytes > 0) {
      const { method, target, protocol, headers } = call.head;
      const bytes = requestHeadBytes(method, target, protocol, headers);
      if (bytes > limits.maxHeaderBytes) throw limits.headersTooLarge(bytes);
    }
    if (limits.maxBodyBytes > 0) {
      const declared = ctx.environ?.contentLength ?? '';
      if (declared !== '' && Number(declared) > limits.maxBodyBytes) throw limits.bodyTooLarge(declared);
      if (!call.limitBody(limits)) throw limits.bodyTooLarge();
    }
    next(ctx);
  };
}

/** The gateway's own limits as it announces them, each naming its setting. */
export function gatewayLimits(
  config: Pick<GatewayConfig, 'maxHeaderBytes' | 'maxBodyBytes' | 'timeoutMs' | 'idleTimeoutMs'>,
): Limits {
  return {
    ...noLimits(),
    headerBytes: own(config.maxHeaderBytes, 'gateway.yaml limits.headers', 'GATEWAY_MAX_HEADER_BYTES'),
    bodyBytes: own(config.maxBodyBytes, 'gateway.yaml limits.body', 'GATEWAY_MAX_BODY_BYTES'),
    headTimeoutMs: own(config.timeoutMs, 'gateway.yaml timeouts.head', 'GATEWAY_TIMEOUT_MS'),
    idleTimeoutMs: own(config.idleTimeoutMs, 'gateway.yaml timeouts.idle', 'GATEWAY_IDLE_TIMEOUT_MS'),
  };
}

/** A mount's limits: the gateway's own until its pool's frameworks announce theirs. */
export function mountLimits(own: Limits): RequestLimits {
  return new RequestLimits(own, { headers: 'GW_ERR_HEADERS_TOO_LARGE', body: 'GW_ERR_BODY_TOO_LARGE' });
}

function own(value: number, setting: string, variable: string) {
  return { value, setting, variable, origin: '' };
}
