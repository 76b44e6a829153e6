"""The web side: a REST API (``/api``), TAXII 2.1 (``/taxii2``) and a server-rendered console
for analysts, on FastAPI. Everything from mail is shown as text: Jinja2 escapes it, and the
Content-Security-Policy forbids every script, so nothing a message carries can run."""
