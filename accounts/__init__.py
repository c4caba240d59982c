"""Accounts, roles, sign-in and the audit trail of the web app (issue 20).

`users` (the users file, scrypt hashes), `signin` (Access: roles, lockout, Gradio's auth
callable), `audit` (the fsync'd JSON-lines trail) and `cli` (`python app.py users|audit`).
"""

from .audit import AuditLog
from .signin import Access, ClientAddressMiddleware, Lockout
from .users import ROLES, Account, UsersFileError

__all__ = ["ROLES", "Access", "Account", "AuditLog", "ClientAddressMiddleware", "Lockout",
           "UsersFileError"]
