// Public API of @tightloop/dashboard.
export {}
