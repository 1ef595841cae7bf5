import type { Limits } from '@mono/contracts';
import type { Step } from '@mono/runtime';
import { noLimits, requestHeadBytes, RequestLimits } from '@mono/transport';
import type { FrameworkConfig } from './config';
import type { FrameworkContext } from './context';

/**
 * Refuses what the framework does not take, before the application runs: a request head over `limits.headers` with
 * FW_ERR_HEADERS_TOO_LARGE (431), a declared body over `limits.body` (Flask's MAX_CONTENT_LENGTH) with
 * FW_ERR_BODY_TOO_LARGE (413). A body of unknown length is held to it as it arrives: the first byte beyond it fails
 * the application's input — it never reads a truncated body as a whole one — and the call (413, or aborted once the
 * head is out). The gateways in front know these limits (docs/adr/0014-limits-that-agree.md) and refuse first.
 */
export function limits(limits: RequestLimits): Step<FrameworkContext> {
  return function limitsStep(ctx, next) {
    const { call } = ctx;
    const head = call.head;
    if (limits.maxHeaderBytes > 0) {
      const bytes = requestHeadBytes(head.requestMethod, head.requestUri, head.serverProtocol, head.headers);
      if (bytes > limits.maxHeaderBytes) return ctx.refuse(limits.headersTooLarge(bytes));
    }
    if (limits.maxBodyBytes > 0) {
      const declared = head.contentLength;
      if (declared !== '' && Number(declared) > limits.maxBodyBytes) return ctx.refuse(limits.bodyTooLarge(declared));
      if (!call.limitBody(limits)) return ctx.refuse(limits.bodyTooLarge());
    }
    next(ctx);
  };
}

/** The framework's limits as it announces them to the gateways, each naming its setting. */
export function frameworkLimits(config: Pick<FrameworkConfig, 'limits'>): Limits {
  const { headerBytes, bodyBytes } = config.limits;
  return {
    ...noLimits(),
    headerBytes: {
      value: headerBytes,
      setting: 'framework.yaml limits.headers',
      variable: 'FRAMEWORK_MAX_HEADER_BYTES',
      origin: '',
    },
    bodyBytes: {
      value: bodyBytes,
      setting: 'framework.yaml limits.body',
      variable: 'FRAMEWORK_MAX_BODY_BYTES',
      origin: '',
    },
  };
}

/** The framework's own limits, refusing with its codes. */
export function frameworkRequestLimits(config: Pick<FrameworkConfig, 'limits'>): RequestLimits {
  return new RequestLimits(frameworkLimits(config), {
    headers: 'FW_ERR_HEADERS_TOO_LARGE',
    body: 'FW_ERR_BODY_TOO_LARGE',
  });
}
