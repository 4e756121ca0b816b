"""The WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi run` in development."""
from tracker import create_app

app = create_app()
