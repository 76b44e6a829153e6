"""The mail flow: Postfix content filter, milter, IMAP watcher, alerts; they drive pipeline and store."""
