// Public API of @tightloop/client.
export {}
