"""The stand-in identity provider as a pytest fixture: a second process on loopback (serve.py),
started once per test session, seeded with a teacher, a pupil, a parent, a pupil of a school no one
has mapped yet, and an account whose user type may not sign in here."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "zmd-catalogue"
CLIENT_SECRET = "zmd-test-secret-0123456789"

# A teacher, a pupil and a parent whose schools map, a pupil of a school nobody has mapped yet, and
# an account whose user type may not sign in here (also used by docs/accounts.md's manual trial).
USERS = json.loads((Path(__file__).parent / "users.example.json").read_text(encoding="utf-8"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class IdentityProvider:
    def __init__(self, workdir: Path, redirect_uri: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/o"
        self.workdir = workdir
        self.redirect_uri = redirect_uri
        self.process = None

    def start(self):
        (self.workdir / "users.json").write_text(json.dumps(USERS, ensure_ascii=False), encoding="utf-8")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.accounts.idp.serve",
                str(self.port),
                str(self.workdir),
                CLIENT_ID,
                CLIENT_SECRET,
                self.redirect_uri,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the identity provider exited during start-up")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the identity provider did not start in 90 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def oidc_settings(self) -> dict:
        """FEDERATED_LOGIN for an OpenID Connect provider (a bureau Keycloak, say)."""
        return {
            "provider": "zhjy",
            "label": "智教通行证",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "metadata_url": f"{self.issuer}/.well-known/openid-configuration",
            "authorize_url": "",
            "token_url": "",
            "userinfo_url": "",
            "scopes": "openid profile",
            "token_auth_method": "client_secret_basic",
            "pkce": True,
            "redirect_uri": self.redirect_uri,
            "claims": {
                "subject": "sub",
                "name": "name",
                "role": "user_type",
                "area": "area_code",
                "org_id": "org_ids",
                "org_name": "org_names",
            },
            "role_map": "TEACHER:teacher,STUDENT:student,GUARDIAN:parent",
            "confirm_teachers": "all",
        }

    def oauth_settings(self) -> dict:
        """FEDERATED_LOGIN for a plain OAuth 2.0 provider with a userinfo endpoint (the national
        platform's shape: no ID token, claims nested under "data")."""
        return self.oidc_settings() | {
            "metadata_url": "",
            "authorize_url": f"{self.issuer}/authorize/",
            "token_url": f"{self.issuer}/token/",
            "userinfo_url": f"{self.url}/api/user/info",
            "scopes": "userInfo",
            "token_auth_method": "client_secret_post",
            "claims": {
                "subject": "data.userId",
                "name": "data.userName",
                "role": "data.userType",
                "area": "data.areaCode",
                "org_id": "data.orgIds",
                "org_name": "data.orgNames",
            },
        }


@pytest.fixture(scope="session")
def identity_provider(live_server, tmp_path_factory):
    idp = IdentityProvider(tmp_path_factory.mktemp("idp"), f"{live_server.url}/accounts/federated/callback/")
    idp.start()
    yield idp
    idp.stop()
