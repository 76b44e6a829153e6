"""Intelligence: indicators from mail, feeds in (STIX, MISP, CSV), actors, exports out."""
