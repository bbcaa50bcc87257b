"""WSGI entry point of the example blog (`gunicorn blogsite.wsgi`, from this directory)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")

application = get_wsgi_application()
