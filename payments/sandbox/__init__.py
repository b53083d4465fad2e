"""A local payment provider speaking the YooKassa v3 REST API: `python -m payments.sandbox`.

Part of the product (demo, tests, staging), not a mock: the store talks to it through the official SDK
over HTTP exactly as it talks to the real provider. No Django in here: it runs as its own process.
"""

from .server import SandboxServer
from .state import Sandbox

# The credentials the sandbox accepts unless told otherwise (the local/test settings use the same pair).
SANDBOX_SHOP_ID = "100500"
SANDBOX_SECRET_KEY = "test_sandbox_secret_key"

__all__ = ["SANDBOX_SECRET_KEY", "SANDBOX_SHOP_ID", "Sandbox", "SandboxServer"]
