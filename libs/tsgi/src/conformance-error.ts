import { CONFORMANCE_RULES, type ConformanceRuleId, type ConformanceSide } from './conformance-rules';
import { InterfaceError } from './interface-error';

/**
 * A breach of the interface that `validator` caught (wsgiref.validate's AssertionError). The message names the rule
 * by its id and the side that broke it: `TSGI rule body.chunks broken by the application: …`.
 */
export class ConformanceError extends InterfaceError {
  readonly rule: ConformanceRuleId;
  readonly side: ConformanceSide;

  constructor(rule: ConformanceRuleId, detail: string) {
    const { side, rule: text } = CONFORMANCE_RULES[rule];
    super(`TSGI rule ${rule} broken by the ${side}: ${detail} (${text})`);
    this.name = 'ConformanceError';
    this.rule = rule;
    this.side = side;
  }
}
