// Public API of @tightloop/pipeline.
export {}
