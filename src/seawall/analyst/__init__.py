"""The analyst's queries and actions, shared by the CLI and the web API: what to export, how a
held message is released. Neither interface writes them again."""
