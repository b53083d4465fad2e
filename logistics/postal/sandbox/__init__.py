"""The postal partner's sandbox: `python -m logistics.postal.sandbox [--port 8766] [--speed N]`.

Part of the product (demo, tests, staging), not a mock: a stdlib HTTP server speaking the partner's protocols
(DOMAIN.md 1 and 3) — single-access tracking over SOAP 1.2, the batch ticket service over SOAP 1.1, the Otpravka
REST API for registering parcels — with parcels moving through realistic journeys on its own clock. No Django.
"""

from .server import PostSandboxServer

# The credentials the sandbox accepts unless told otherwise (local/test settings use the same).
SANDBOX_LOGIN = "store"
SANDBOX_PASSWORD = "sandbox-password"
SANDBOX_TOKEN = "sandbox-token"

__all__ = ["SANDBOX_LOGIN", "SANDBOX_PASSWORD", "SANDBOX_TOKEN", "PostSandboxServer"]
