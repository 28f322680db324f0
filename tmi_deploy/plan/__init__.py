"""Plan: the diff of desired vs live state, its renderers and its safety rules (all pure)."""
