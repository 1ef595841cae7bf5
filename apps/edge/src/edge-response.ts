import { ServerResponse, type IncomingMessage } from 'node:http';
import type { EdgeContext } from './context';

/**
 * The edge's HTTP response (createServer's `ServerResponse` option): what the edge keeps about a response lives in
 * fields declared here, not in properties added to Node's objects per request, which would send each one into V8's
 * slow dictionary mode.
 */
export class EdgeResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** The request's context while the pipeline runs it (the clientError handler looks for it). */
  context: EdgeContext | undefined = undefined;
}
