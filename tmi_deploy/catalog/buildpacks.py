"""Config vars a buildpack reads at build time: set on purpose, though TMI never reads them.

heroku/go: Heroku Dev Center, "Heroku Go Support" (GOVERSION, GO_LINKER_SYMBOL, GO_LINKER_VALUE) and the
buildpack's README (GO_INSTALL_PACKAGE_SPEC, GO_INSTALL_FLAGS). heroku/nodejs: Dev Center, "Node.js Classic
Buildpack Builds" (NODE_MODULES_CACHE, USE_NPM_INSTALL, NPM_CONFIG_PRODUCTION, NODE_ENV...) and npm's own
NPM_CONFIG_* settings. docs/tmi-config.md, "Unknown names".
"""

from __future__ import annotations

BUILDPACK_SETTINGS: dict[str, tuple[str, ...]] = {
    "heroku/go": ("GOVERSION", "GO_INSTALL_PACKAGE_SPEC", "GO_INSTALL_FLAGS", "GO_LINKER_SYMBOL", "GO_LINKER_VALUE"),
    "heroku/nodejs": ("NODE_ENV", "NODE_OPTIONS", "NODE_VERBOSE", "NODE_MODULES_CACHE", "USE_NPM_INSTALL",
                      "NPM_CONFIG_*", "YARN_PRODUCTION", "PNPM_*"),
}


def buildpack_globs(buildpacks: tuple[str, ...] | None) -> tuple[str, ...]:
    """The settings of the declared buildpacks; of every buildpack known here when none are declared."""
    chosen = BUILDPACK_SETTINGS if buildpacks is None else {b: BUILDPACK_SETTINGS.get(b, ()) for b in buildpacks}
    return tuple(glob for globs in chosen.values() for glob in globs)
