import {
  defaultReasoningEffortForModel,
  isGpt52DefaultNoneModel,
  isGpt55Model,
  isGpt55ProModel,
  modelDefaultsToHighReasoning,
  modelRequiresHighReasoning,
  modelSupportsNoneReasoning,
  modelSupportsSamplingParameters,
  modelSupportsXhighReasoning,
  normalizeModel,
  resolveReasoningEffortForCodexModel,
  resolveReasoningEffortForModel,
  type ReasoningEffort,
} from '../../src/request/models.js';

// The rules of the gpt-5.5 era (docs/behaviour.md#models-and-reasoning-effort).

describe('normalizeModel', () => {
  it.each([
    ['gpt-5.5', 'gpt-5.5'],
    ['openai/gpt-5.5', 'gpt-5.5'],
    ['openai/gpt-5.5-pro', 'gpt-5.5-pro'],
    ['openai-codex/gpt-5.5', 'openai-codex/gpt-5.5'], // only `openai/` is stripped
    ['  gpt-5.5\t', 'gpt-5.5'],
    ['openai/ gpt-5.5 ', 'gpt-5.5'], // strip, then trim
    [' openai/gpt-5.5', 'openai/gpt-5.5'], // trim comes after the strip: the prefix stays
    ['openai/openai/gpt-5.5', 'openai/gpt-5.5'], // one prefix only
  ])('%j → %j', (input, expected) => {
    expect(normalizeModel(input)).toBe(expected);
  });
});

describe('model predicates', () => {
  it.each([
    // model, gpt55pro, gpt55, gpt52none, supportsNone, requiresHigh, defaultsHigh, xhigh
    ['gpt-5.5', false, true, false, true, false, false, true],
    ['openai/gpt-5.5', false, true, false, true, false, false, true],
    ['gpt-5.5-mini', false, true, false, true, false, false, true],
    ['gpt-5.5-pro', true, false, false, false, false, true, true],
    ['gpt-5.5-pro-2026-01-01', true, false, false, false, false, true, true],
    ['gpt-5.5pro', false, false, false, false, false, false, false],
    ['gpt-5.2', false, false, true, true, false, false, false],
    ['gpt-5.2-2025-12-11', false, false, true, true, false, false, false],
    ['gpt-5.2-codex', false, false, false, false, false, false, true],
    ['gpt-5.3-codex', false, false, false, false, false, false, true],
    ['gpt-5.3-codex-spark', false, false, false, false, false, false, false],
    ['gpt-5.1-codex-max', false, false, false, false, false, false, true],
    ['gpt-5-pro', false, false, false, false, true, true, false],
    ['gpt-5-pro-2025-10-06', false, false, false, false, true, true, false],
    ['gpt-5.4', false, false, false, false, false, false, false],
    ['gpt-5.1', false, false, false, false, false, false, false],
    ['o3', false, false, false, false, false, false, false],
  ])('%s', (model, pro55, is55, none52, supportsNone, requiresHigh, defaultsHigh, xhigh) => {
    expect(isGpt55ProModel(model)).toBe(pro55);
    expect(isGpt55Model(model)).toBe(is55);
    expect(isGpt52DefaultNoneModel(model)).toBe(none52);
    expect(modelSupportsNoneReasoning(model)).toBe(supportsNone);
    expect(modelRequiresHighReasoning(model)).toBe(requiresHigh);
    expect(modelDefaultsToHighReasoning(model)).toBe(defaultsHigh);
    expect(modelSupportsXhighReasoning(model)).toBe(xhigh);
  });
});

describe('defaultReasoningEffortForModel', () => {
  it.each<[string, ReasoningEffort]>([
    ['gpt-5.5', 'none'], // supports none
    ['gpt-5.5-mini', 'none'],
    ['gpt-5.2', 'none'],
    ['gpt-5.2-2025-12-11', 'none'],
    ['gpt-5.5-pro', 'high'], // defaults to high (even though it supports xhigh)
    ['gpt-5-pro', 'high'],
    ['gpt-5.1-codex-max', 'xhigh'],
    ['gpt-5.2-codex', 'xhigh'],
    ['gpt-5.3-codex', 'xhigh'],
    ['gpt-5.4', 'high'], // everything else
    ['gpt-5.1', 'high'],
    ['gpt-4o', 'high'],
  ])('%s → %s', (model, expected) => {
    expect(defaultReasoningEffortForModel(model)).toBe(expected);
  });
});

describe('resolveReasoningEffortForModel (the rule for every model)', () => {
  it.each<[string, ReasoningEffort | undefined, ReasoningEffort]>([
    ['gpt-5.5', undefined, 'none'],
    ['gpt-5.5', 'none', 'none'],
    ['gpt-5.5', 'minimal', 'minimal'], // the Codex clamp is separate
    ['gpt-5.5', 'xhigh', 'xhigh'],
    ['gpt-5.5-pro', 'xhigh', 'xhigh'],
    ['gpt-5.4', 'none', 'high'], // none unsupported → the default
    ['gpt-5.2-codex', 'none', 'xhigh'], // … whose default is xhigh
    ['gpt-5-pro', 'none', 'high'],
    ['gpt-5.1', 'xhigh', 'high'], // xhigh unsupported → high
    ['gpt-5.2', 'xhigh', 'high'],
    ['gpt-5.4', 'low', 'low'],
    ['gpt-4o', undefined, 'high'],
  ])('%s + %s → %s', (model, requested, expected) => {
    expect(resolveReasoningEffortForModel(model, requested)).toBe(expected);
  });
});

describe('resolveReasoningEffortForCodexModel (the Codex-specific clamps on top)', () => {
  // Model defaults, each Codex clamp, and `none` on a model that does not accept it.
  it.each<[string, ReasoningEffort | undefined, ReasoningEffort]>([
    ['gpt-5.5', undefined, 'none'],
    ['gpt-5.5', 'minimal', 'low'],
    ['gpt-5.3-codex', undefined, 'xhigh'],
    ['gpt-5.1', 'xhigh', 'high'],
    ['gpt-5.1-codex-mini', 'low', 'medium'],
    ['gpt-5.4', undefined, 'high'],
    ['gpt-5.4', 'none', 'high'],
  ])('%s + %s → %s', (model, requested, expected) => {
    expect(resolveReasoningEffortForCodexModel(model, requested)).toBe(expected);
  });

  it.each<[string, ReasoningEffort | undefined, ReasoningEffort]>([
    // minimal → low on gpt-5.2*, gpt-5.3*, gpt-5.5* (prefix match, after normalization)
    ['gpt-5.2', 'minimal', 'low'],
    ['gpt-5.2-codex', 'minimal', 'low'],
    ['gpt-5.3-codex', 'minimal', 'low'],
    ['gpt-5.5-pro', 'minimal', 'low'],
    ['openai/gpt-5.5', 'minimal', 'low'],
    ['gpt-5.4', 'minimal', 'minimal'], // 5.5 era: 5.4 is not clamped
    ['gpt-5.1', 'minimal', 'minimal'],
    ['gpt-5.5', 'low', 'low'],
    // gpt-5.1: xhigh → high (also the generic clamp)
    ['gpt-5.1', 'high', 'high'],
    // gpt-5.1-codex-mini: high|xhigh → high, everything else → medium
    ['gpt-5.1-codex-mini', 'xhigh', 'high'],
    ['gpt-5.1-codex-mini', 'high', 'high'],
    ['gpt-5.1-codex-mini', 'medium', 'medium'],
    ['gpt-5.1-codex-mini', 'minimal', 'medium'],
    ['gpt-5.1-codex-mini', undefined, 'high'], // default high
    // none is first resolved to the default (high), so it stays high
    ['gpt-5.1-codex-mini', 'none', 'high'],
    ['openai/gpt-5.1-codex-mini', 'low', 'medium'],
    // exact match only
    ['gpt-5.1-codex-mini-2026', 'low', 'low'],
    // gpt-5.6-sol's xhigh exception came after the rules ported here: the generic clamp applies
    ['gpt-5.6-sol', 'xhigh', 'high'],
  ])('clamp: %s + %s → %s', (model, requested, expected) => {
    expect(resolveReasoningEffortForCodexModel(model, requested)).toBe(expected);
  });
});

describe('modelSupportsSamplingParameters', () => {
  it.each<[string, ReasoningEffort | undefined, boolean]>([
    ['gpt-5.5', undefined, true], // no reasoning sent counts as none
    ['gpt-5.5', 'none', true],
    ['gpt-5.5', 'low', false],
    ['openai/gpt-5.5', 'none', true],
    ['gpt-5.2', undefined, true],
    ['gpt-5.2', 'high', false],
    ['gpt-5.5-pro', undefined, false], // gpt-5 family without none
    ['gpt-5.4', undefined, false],
    ['gpt-5.3-codex', 'none', false],
    ['o1', undefined, false],
    ['o3-mini', undefined, false],
    ['o4-mini', 'low', false],
    ['gpt-4o', 'high', true],
    ['gpt-4.1', undefined, true],
  ])('%s + %s → %s', (model, effort, expected) => {
    expect(modelSupportsSamplingParameters(model, effort)).toBe(expected);
  });
});
