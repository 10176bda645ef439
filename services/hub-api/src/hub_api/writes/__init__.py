"""Writing back to the stores over the API: single and bulk product changes, and the audit
trail."""

from hub_api.writes.controller import AuditController, WriteController, WriteJobController

__all__ = ["AuditController", "WriteController", "WriteJobController"]
