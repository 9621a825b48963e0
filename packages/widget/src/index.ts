// Public API of @tightloop/widget.
export {}
