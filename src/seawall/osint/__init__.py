"""Open-source reporting: articles read into sourced, dated, de-duplicated cyber-operation events."""
