// The one error the pipeline throws: bad options or metrics from the caller, with a code.

/**
 * Every code a {@link PipelineInputError} can carry.
 *
 * @example PIPELINE_ERROR_CODES.includes(error.code)
 */
export const PIPELINE_ERROR_CODES = ['invalid_option', 'invalid_metric', 'invalid_clock'] as const

/** Why the pipeline refused its input. */
export type PipelineErrorCode = (typeof PIPELINE_ERROR_CODES)[number]

/**
 * Thrown when a caller passes options, metrics or a clock the pipeline cannot use. Events are
 * never thrown on: a bad event is dropped with a reason instead.
 *
 * @example
 * try { gateModel(candidate, baseline) } catch (e) {
 *   if (e instanceof PipelineInputError) console.error(e.code, e.message)
 * }
 */
export class PipelineInputError extends Error {
  readonly code: PipelineErrorCode

  constructor(code: PipelineErrorCode, message: string) {
    super(message)
    this.name = 'PipelineInputError'
    this.code = code
  }
}
