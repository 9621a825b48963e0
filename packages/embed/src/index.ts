// Public API of @tightloop/embed.
export {}
