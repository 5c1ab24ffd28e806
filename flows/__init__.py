"""newsclean's orchestration: Prefect flows, readers, warehouse I/O and the CLI."""

import os as _os

# The embedded server's telemetry heartbeat races its own SQLite start-up ("database is
# locked" tracebacks) and phones home, which offline machines cannot; keep it off by default.
_os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
