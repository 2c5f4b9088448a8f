/**
 * Model and reasoning-effort rules, as the Rust client applied them in its gpt-5.5 era
 * (docs/behaviour.md#models-and-reasoning-effort).
 *
 * Every predicate normalizes its argument itself, as the Rust client's helpers do, so they accept both
 * `gpt-5.5` and `openai/gpt-5.5`.
 */

/** Reasoning effort, as sent in `reasoning.effort`. */
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
/** Reasoning summary verbosity, as sent in `reasoning.summary`. */
export type ReasoningSummary = 'auto' | 'concise' | 'detailed';
/** Text verbosity, as sent in `text.verbosity`. */
export type TextVerbosity = 'low' | 'medium' | 'high';

/** Every reasoning effort, in the Rust client's enum order. */
export const REASONING_EFFORTS: readonly ReasoningEffort[] = Object.freeze(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const);
/** Every reasoning summary value. */
export const REASONING_SUMMARIES: readonly ReasoningSummary[] = Object.freeze(['auto', 'concise', 'detailed'] as const);
/** Every text verbosity value. */
export const TEXT_VERBOSITIES: readonly TextVerbosity[] = Object.freeze(['low', 'medium', 'high'] as const);

/**
 * The model id the backend expects: strips one leading `openai/` and then trims, in that order
 * (the Rust client's `normalize_openai_model`). `openai-codex/` is not stripped, and a leading space keeps the
 * prefix (`' openai/x'` → `'openai/x'`), exactly as the Rust client.
 * @param model The configured model id.
 * @return The normalized model id.
 */
export function normalizeModel(model: string): string {
  return (model.startsWith('openai/') ? model.slice('openai/'.length) : model).trim();
}

/** `gpt-5.5-pro` or `gpt-5.5-pro-…`. */
export function isGpt55ProModel(model: string): boolean {
  const m = normalizeModel(model);
  return m === 'gpt-5.5-pro' || m.startsWith('gpt-5.5-pro-');
}

/** `gpt-5.5` or `gpt-5.5-…` except the pro models. */
export function isGpt55Model(model: string): boolean {
  const m = normalizeModel(model);
  return m === 'gpt-5.5' || (m.startsWith('gpt-5.5-') && !isGpt55ProModel(m));
}

/** `gpt-5.2` or a dated `gpt-5.2-20…` snapshot: the models that default to `none`, like gpt-5.5. */
export function isGpt52DefaultNoneModel(model: string): boolean {
  const m = normalizeModel(model);
  return m === 'gpt-5.2' || m.startsWith('gpt-5.2-20');
}

/** Whether the model accepts `reasoning.effort = "none"`. */
export function modelSupportsNoneReasoning(model: string): boolean {
  return isGpt55Model(model) || isGpt52DefaultNoneModel(model);
}

/** `gpt-5-pro` / `gpt-5-pro-…`: only `high` is accepted. */
export function modelRequiresHighReasoning(model: string): boolean {
  const m = normalizeModel(model);
  return m === 'gpt-5-pro' || m.startsWith('gpt-5-pro-');
}

/** The models whose default effort is `high` regardless of xhigh support. */
export function modelDefaultsToHighReasoning(model: string): boolean {
  return isGpt55ProModel(model) || modelRequiresHighReasoning(model);
}

/** Exactly `gpt-5.5`, `gpt-5.1-codex-max`, `gpt-5.2-codex`, `gpt-5.3-codex`, or any `gpt-5.5-…` (pro included). */
export function modelSupportsXhighReasoning(model: string): boolean {
  const m = normalizeModel(model);
  return m === 'gpt-5.5' || m === 'gpt-5.1-codex-max' || m === 'gpt-5.2-codex' || m === 'gpt-5.3-codex' || m.startsWith('gpt-5.5-');
}

/**
 * The effort a model uses when none is requested: `none` where supported, else `high` for the
 * pro models, else `xhigh` where supported, else `high`.
 * @param model The model id.
 * @return The default effort.
 */
export function defaultReasoningEffortForModel(model: string): ReasoningEffort {
  if (modelSupportsNoneReasoning(model)) return 'none';
  if (modelDefaultsToHighReasoning(model)) return 'high';
  if (modelSupportsXhighReasoning(model)) return 'xhigh';
  return 'high';
}

/**
 * The effort to send for a model (the Rust client's `resolve_reasoning_effort_for_model`): the requested one
 * or the default; `none` on a model without it becomes the default; `xhigh` on a model without
 * it becomes `high`.
 * @param model The model id.
 * @param requested The requested effort, if any.
 * @return The effective effort.
 */
export function resolveReasoningEffortForModel(model: string, requested?: ReasoningEffort): ReasoningEffort {
  const m = normalizeModel(model);
  const selected = requested ?? defaultReasoningEffortForModel(m);
  if (selected === 'none' && !modelSupportsNoneReasoning(m)) return defaultReasoningEffortForModel(m);
  if (selected === 'xhigh' && !modelSupportsXhighReasoning(m)) return 'high';
  return selected;
}

/**
 * The effort the Codex backend gets (the Rust client's `resolve_reasoning_effort_for_codex_model`): the
 * generic resolution, then the Codex clamps — `minimal` → `low` on gpt-5.2/5.3/5.5 models,
 * `xhigh` → `high` on `gpt-5.1`, and `gpt-5.1-codex-mini` only takes `high` (for high/xhigh)
 * or `medium` (for everything else).
 * @param model The model id.
 * @param requested The requested effort, if any.
 * @return The effort to send.
 */
export function resolveReasoningEffortForCodexModel(model: string, requested?: ReasoningEffort): ReasoningEffort {
  const n = normalizeModel(model);
  const selected = resolveReasoningEffortForModel(n, requested);
  if ((n.startsWith('gpt-5.2') || n.startsWith('gpt-5.3') || n.startsWith('gpt-5.5')) && selected === 'minimal') {
    return 'low';
  }
  if (n === 'gpt-5.1' && selected === 'xhigh') return 'high';
  if (n === 'gpt-5.1-codex-mini') return selected === 'high' || selected === 'xhigh' ? 'high' : 'medium';
  return selected;
}

/**
 * Whether `temperature` / `top_p` may be sent (the Rust client's `model_supports_sampling_parameters`): on a
 * model that supports `none`, only when the effort is `none` or absent; never on other gpt-5 /
 * o1 / o3 / o4 models; always otherwise.
 * @param model The model id.
 * @param effort The resolved effort, or `undefined` when no `reasoning` is sent.
 * @return True when sampling parameters are accepted.
 */
export function modelSupportsSamplingParameters(model: string, effort?: ReasoningEffort): boolean {
  const n = normalizeModel(model);
  if (modelSupportsNoneReasoning(n)) return (effort ?? 'none') === 'none';
  if (n.startsWith('gpt-5') || n.startsWith('o1') || n.startsWith('o3') || n.startsWith('o4')) return false;
  return true;
}
