// Types of scripts/size.mjs, for src/size.test.ts.

/** The core's budget: gzip bytes, dependencies external, names as written. */
export declare const BUDGET_GZIP_BYTES: number
/** Named import scenarios; `budget` is gzip bytes, dependencies external, names as written. */
export declare const SCENARIOS: { name: string; imports: string; budget?: number }[]
/** Names that must never reach a browser bundle. */
export declare const FORBIDDEN: string[]

/** One scenario measured. */
export interface ScenarioSize {
  name: string
  budget: number | undefined
  /** Gzip bytes (level 9) of the minified build with dependencies external. */
  gzip: number
  /** That build's code. */
  code: string
  sizes: { label: string; raw: number; gzip: number }[]
  /** Forbidden words found, with the build they were found in. */
  forbidden: string[]
  over: boolean
}

/** Builds and measures every scenario, or those named in `only`. */
export declare function measureClient(
  only?: string[],
  options?: { bundled?: boolean },
): Promise<ScenarioSize[]>
export declare function bundle(imports: string, external: boolean): Promise<string>
export declare function minified(code: string, manglePrivate: boolean): Promise<string>
