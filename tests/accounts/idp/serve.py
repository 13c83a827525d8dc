"""Start the stand-in identity provider: migrate its own SQLite database, seed the users and the
client application, and serve on 127.0.0.1:<port> until killed.

    python -m tests.accounts.idp.serve PORT WORKDIR CLIENT_ID CLIENT_SECRET REDIRECT_URI
WORKDIR holds users.json (written by the test) and receives the database and signing key."""

import os
import sys
from pathlib import Path


def main():
    port, workdir, client_id, client_secret, redirect_uri = sys.argv[1:6]
    workdir = Path(workdir)
    key = workdir / "rsa.pem"
    if not key.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.accounts.idp.settings",
        IDP_DB=str(workdir / "idp.sqlite3"),
        IDP_USERS=str(workdir / "users.json"),
        IDP_KEY=str(key),
        IDP_ISSUER=f"http://127.0.0.1:{port}/o",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for username, entry in settings.IDP_USERS.items():
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(username=username, password=entry["password"])
    if not Application.objects.filter(client_id=client_id).exists():
        Application.objects.create(
            name="驻马店特色数字资源库",
            client_id=client_id,
            client_secret=client_secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=redirect_uri,
            skip_authorization=True,
            algorithm=Application.RS256_ALGORITHM,
        )
    print("READY", flush=True)
    run("127.0.0.1", int(port), get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
