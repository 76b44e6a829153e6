"""Write the bundled examples that carry binary attachments or several messages.

python -m tests.support.make_examples
"""

from __future__ import annotations

import mailbox
from pathlib import Path

from tests.support import vba
from tests.support.make_rule_fixtures import message

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def main() -> None:
    job = message(
        "Gulf Energy Partners Careers <careers@gulf-energy-partners.com>",
        "s.patel@petroco-energy.com",
        "Job offer: Senior Reservoir Engineer",
        "Thu, 20 Jun 2019 07:12:00 +0000",
        "<offer-2291@gulf-energy-partners.com>",
        "46.166.176.210",
        "Dear Sunita,\n\nFollowing your application, please find the job description and salary offer "
        "attached. Enable content to view the protected document.\n\nHR Department\n",
        [
            (
                "Job_Description.docm",
                "application/vnd.ms-word.document.macroEnabled.12",
                vba.docm(
                    'Sub AutoOpen()\r\n  Dim s\r\n  Set s = CreateObject("WScript.Shell")\r\n'
                    '  s.Run "cmd /c echo inert example", 0\r\nEnd Sub\r\n'
                ),
            )
        ],
    )
    (EXAMPLES / "petroco-job-offer-macro.eml").write_bytes(job)
    path = EXAMPLES / "agency-wave.mbox"
    path.unlink(missing_ok=True)
    box = mailbox.mbox(str(path))
    for number, (name, address) in enumerate(
        [
            ("Robert Hughes", "r.hughes@example-agency.gov"),
            ("Mei Chen", "m.chen@example-agency.gov"),
            ("Alan Ford", "a.ford@example-agency.gov"),
        ]
    ):
        first = name.split()[0]
        box.add(
            message(
                "Example Agency Benefits <benefits@example-agency-hr.com>",
                f"{name} <{address}>",
                f"{first}, your 2019 benefits enrollment closes today",
                f"Fri, 21 Jun 2019 1{number}:00:00 +0000",
                f"<enroll-{number}@example-agency-hr.com>",
                "185.141.63.121",
                f"Hello {first},\n\nYour benefits enrollment closes today. Sign in to confirm your "
                f"selections: https://example-agency-hr.com/enroll?id={1000 + number}\n\nHR\n",
                [],
            )
        )
    box.flush()
    box.close()


if __name__ == "__main__":
    main()
