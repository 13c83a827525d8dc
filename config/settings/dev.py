from config import env

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = env.SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env.ALLOWED_HOSTS + ["0.0.0.0"]
