/**
 * A tool's input failed its schema. Internal: the agent loop turns it into the error result
 * the model sees, with this message as is.
 */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}
