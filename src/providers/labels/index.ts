// Traefik's label language, shared by the Docker and Swarm providers: labels decoded
// against the dynamic configuration schemas, and the default-rule template.

export { decodeLabels, labelKeyFor, type DecodedLabels } from './decode-labels.js';
export { decodeSettingLabels } from './decode-settings.js';
export type { LabelRouter, LabelServer, LabelService } from './label-view.js';
export { normalize } from './normalize.js';
export type { RawLabelValue } from './raw-tree.js';
export {
  DEFAULT_RULE_TEMPLATE,
  executeRuleTemplate,
  parseRuleTemplate,
  type ModelFields,
  type RuleTemplate,
  type RuleTemplateModel,
} from './rule-template.js';
