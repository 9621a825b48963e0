// Public API of @tightloop/collector.
export {}
