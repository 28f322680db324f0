"""Environment files: safe YAML with positions, models, base/overlay merge."""
