"""A small JSON client for the sync API, over the Flask test client."""
import uuid


class SyncApi:
    def __init__(self, client):
        self.client = client
        self.token = client.get("/api/v1/session").get_json()["csrf_token"]

    def headers(self, base_version=None, **extra):
        headers = {"X-CSRFToken": self.token, **extra}
        if base_version is not None:
            headers["If-Match"] = f'"{base_version}"'
        return headers

    def put(self, entry_id, body, base_version=None, **kwargs):
        return self.client.put(f"/api/v1/entries/{entry_id}", json=body,
                               headers=self.headers(base_version), **kwargs)

    def delete(self, entry_id, base_version):
        return self.client.delete(f"/api/v1/entries/{entry_id}", headers=self.headers(base_version))

    def changes(self, since=None, limit=None):
        query = {k: v for k, v in {"since": since, "limit": limit}.items() if v is not None}
        return self.client.get("/api/v1/entries", query_string=query)

    def all_changes(self, since=None):
        entries = []
        while True:
            body = self.changes(since).get_json()
            entries += body["entries"]
            since = body["next"]
            if not body["has_more"]:
                return entries, since


def new_id() -> str:
    return str(uuid.uuid4())
