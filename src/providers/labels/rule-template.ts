import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import {
  printValue,
  TEMPLATE_FUNCTIONS,
  TemplateRunError,
  type TemplateValue,
} from './template-functions.js';
import {
  parseTemplate,
  TemplateSyntaxError,
  type ModelFields,
  type Operand,
  type Pipeline,
  type TemplateNode,
} from './template-parser.js';

/** Traefik's default `defaultRule` for the Docker and Swarm providers. */
export const DEFAULT_RULE_TEMPLATE = 'Host(`{{ normalize .Name }}`)';

/** A parsed `defaultRule`: parse it once, run it for each container. */
export interface RuleTemplate {
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
}

/** The values a template reads, by field name: text (`Name`) or a map of text (`Labels`). */
export type RuleTemplateModel = Readonly<Record<string, string | Readonly<Record<string, string>>>>;

export type { ModelFields } from './template-parser.js';

/**
 * Parses a default rule written in Go's template syntax, allowing the subset described in
 * docs/labels.md. Errors (CONFIG_PARSE, empty path) quote the template and give the column.
 */
export function parseRuleTemplate(source: string, fields: ModelFields): Result<RuleTemplate> {
  try {
    return ok({ source, nodes: parseTemplate(source, fields) });
  } catch (err) {
    if (!(err instanceof TemplateSyntaxError)) throw err;
    return fail(
      new ConfigError(
        'CONFIG_PARSE',
        '',
        `template ${JSON.stringify(source)}, column ${err.column}: ${err.message}`,
      ),
    );
  }
}

/** The rule a template gives for one model. Errors (CONFIG_INVALID, empty path) quote the template. */
export function executeRuleTemplate(template: RuleTemplate, model: RuleTemplateModel): Result<string> {
  try {
    let out = '';
    for (const node of template.nodes) {
      out += node.kind === 'text' ? node.text : printValue(runPipeline(node.pipeline, model));
    }
    return ok(out);
  } catch (err) {
    if (!(err instanceof TemplateRunError)) throw err;
    return fail(
      new ConfigError('CONFIG_INVALID', '', `template ${JSON.stringify(template.source)}: ${err.message}`),
    );
  }
}

function runPipeline(pipeline: Pipeline, model: RuleTemplateModel): TemplateValue {
  let piped: TemplateValue;
  pipeline.commands.forEach((command, index) => {
    const args = command.operands.map((operand) => operandValue(operand, model));
    if (command.function === undefined) {
      piped = args[0];
      return;
    }
    if (index > 0) args.push(piped);
    piped = TEMPLATE_FUNCTIONS.get(command.function)!.call(args);
  });
  return piped;
}

function operandValue(operand: Operand, model: RuleTemplateModel): TemplateValue {
  switch (operand.kind) {
    case 'string':
      return operand.value;
    case 'pipeline':
      return runPipeline(operand.pipeline, model);
    case 'field': {
      const [name, key] = operand.path;
      const value = model[name!];
      if (key === undefined) return value;
      // Like Go, a missing map key read as a field has no value; index gives "" instead.
      return typeof value === 'object' ? value[key] : undefined;
    }
  }
}
