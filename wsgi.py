from journey import create_app
from journey.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One clear line instead of a traceback (e.g. `flask journey check-deploy`
    # with no SECRET_KEY in production).
    raise SystemExit(f"Configuration error: {exc}") from None
