"""The WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi run` in development."""
from tracker import create_app
from tracker.errors import SettingError

try:
    app = create_app()
except SettingError as exc:  # a bad setting stops gunicorn and `flask` with the words naming it, not a traceback
    raise SystemExit(f"督办看板未启动:{exc.message_zh}\n(Plan Tracker did not start: {exc.message_en})") from None
