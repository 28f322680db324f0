"""tmi-deploy: config as code for TMI on Heroku."""

__version__ = "0.1.0"
