"""Former home of the platform rules and persistence, kept so existing imports keep working.

The rules now live in rules_*.py (composed in platform.py), persistence in store.py, errors in errors.py.
"""

from tmi_deploy.sandbox.errors import SandboxError, invalid, not_found
from tmi_deploy.sandbox.platform import Platform
from tmi_deploy.sandbox.store import empty_state, load_state, save_state

__all__ = ["Platform", "SandboxError", "empty_state", "invalid", "load_state", "not_found", "save_state"]
