"""tmi-deploy: config as code for TMI on Heroku."""

__version__ = "0.1.0"
DEFAULT_API_URL = "https://api.heroku.com"
