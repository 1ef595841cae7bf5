export { ConformanceError } from './conformance-error';
export { CONFORMANCE_RULES } from './conformance-rules';
export type { ConformanceRule, ConformanceRuleId, ConformanceSide } from './conformance-rules';
export { createEnviron } from './create-environ';
export type { LiveParts, RequestVariables } from './create-environ';
export { describeEnviron } from './describe-environ';
export type {
  Application,
  CgiVariables,
  Environ,
  ErrorStream,
  ExcInfo,
  Flush,
  HeaderList,
  InputStream,
  ResponseBody,
  StartResponse,
  TsgiVariables,
} from './environ';
export { CGI_KEYS, TSGI_KEYS } from './environ';
export { environOf } from './environ-of';
export { fromExpress } from './from-express';
export type { FromExpressOptions, NodeListener } from './from-express';
export { fromFetch } from './from-fetch';
export type { FetchHandler } from './from-fetch';
export { httpVariables } from './http-variables';
export { createInputStream } from './input-stream';
export { InterfaceError } from './interface-error';
export { checkHeaders, parseStatus, statusAllowsBody } from './response-head';
export { loadApplication, parseApplicationSpec, requireApplication } from './require-application';
export type { ApplicationKind, ApplicationSpec, LoadedApplication } from './require-application';
export { HostResponse, runApplication } from './run-application';
export type { ResponseOutput } from './run-application';
export { validator } from './validator';
export type { ValidatorOptions } from './validator';
