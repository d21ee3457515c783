/**
 * Alertmanager inhibition: a firing source alert silences target alerts that share the values of
 * the rule's `equal` labels.
 */
import { z } from 'zod';
import { matchesAll, parseMatchers, type Labels, type Matcher } from './matchers.ts';

export interface InhibitRuleConfig {
  sourceMatchers: string[];
  targetMatchers: string[];
  equal?: string[] | undefined;
}

export interface InhibitRule {
  sourceMatchers: Matcher[];
  targetMatchers: Matcher[];
  equal: string[];
}

const matcherString = z.string().superRefine((text, ctx) => {
  try {
    parseMatchers(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export const inhibitRuleSchema = z.strictObject({
  sourceMatchers: z.array(matcherString).min(1),
  targetMatchers: z.array(matcherString).min(1),
  equal: z.array(z.string().min(1)).optional(),
});

/** Validates (throwing zod's error, with paths) and resolves one rule. */
export function buildInhibitRule(input: unknown): InhibitRule {
  const cfg = inhibitRuleSchema.parse(input);
  return {
    sourceMatchers: cfg.sourceMatchers.flatMap((m) => parseMatchers(m)),
    targetMatchers: cfg.targetMatchers.flatMap((m) => parseMatchers(m)),
    equal: cfg.equal ?? [],
  };
}

const valueOf = (labels: Labels, name: string): string => (Object.hasOwn(labels, name) ? (labels[name] ?? '') : '');

/**
 * Whether the target is inhibited by one of the firing sources under any rule. When the target
 * matches a rule's source side too, sources that match both sides are ignored for that rule, as
 * in Alertmanager: otherwise two alerts matching both sides would silence each other (and an
 * alert itself). An absent `equal` label counts as the empty value.
 */
export function isInhibited(target: Labels, firingSources: readonly Labels[], rules: readonly InhibitRule[]): boolean {
  return rules.some((rule) => {
    if (!matchesAll(rule.targetMatchers, target)) return false;
    const excludeTwoSided = matchesAll(rule.sourceMatchers, target);
    return firingSources.some((source) => {
      if (!matchesAll(rule.sourceMatchers, source)) return false;
      if (excludeTwoSided && matchesAll(rule.targetMatchers, source)) return false;
      return rule.equal.every((n) => valueOf(source, n) === valueOf(target, n));
    });
  });
}
