/**
 * Annotation templates of alert rules. The scanner lives in contracts/alert-templates.ts, so the
 * browser's rule form refuses the same templates the server does; this is the server's door to it.
 * A missing label renders as the empty string (not Go's `<no value>`), and rendering never throws.
 */
export {
  compileTemplate,
  formatG,
  humanize,
  humanizeDuration,
  printf,
  TEMPLATE_FUNCTIONS,
  TemplateError,
  type CompiledTemplate,
  type TemplateData,
} from '../../../../contracts/alert-templates.ts';
