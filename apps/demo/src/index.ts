// Public API of @tightloop/demo.
export {}
