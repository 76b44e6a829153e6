"""A private Dovecot IMAP server on loopback for the report-mailbox tests: Debian's
dovecot-imapd, its own configuration, base directory, log and maildirs in a temporary folder,
one passwd-file user, plain login (loopback only)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.postfix import free_port, wait_for_port

USER, PASSWORD = "phish-reports", "report-secret"


def available() -> bool:
    return bool(shutil.which("dovecot") and shutil.which("doveadm"))


@dataclass
class PrivateDovecot:
    root: Path
    port: int

    @classmethod
    def create(cls) -> PrivateDovecot:
        root = Path(tempfile.mkdtemp(prefix="seawall-dovecot-"))
        root.chmod(0o755)
        instance = cls(root, free_port())
        (root / "run").mkdir()
        (root / "mail").mkdir()
        shutil.chown(root / "mail", "mail", "mail")
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (root / "dovecot.conf").write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {root / "run"}
instance_name = seawall-test-{instance.port}
log_path = {root / "dovecot.log"}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root / "mail"}/%u
mail_uid = mail
mail_gid = mail
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root / "users"}
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={root / "mail"}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {instance.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        )
        return instance

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self) -> None:
        # Dovecot daemonises: its children would hold a captured pipe open, so send its
        # output to a file rather than capture it.
        with open(self.root / "start.log", "ab") as output:
            subprocess.run(["dovecot", "-c", str(self.config)], check=True, stdout=output, stderr=output)
        wait_for_port(self.port)

    def stop(self) -> None:
        with open(self.root / "start.log", "ab") as output:
            subprocess.run(
                ["doveadm", "-c", str(self.config), "stop"], check=False, stdout=output, stderr=output
            )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
