// Public API of @tightloop/collector-app.
export {}
