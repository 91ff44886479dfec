"""Fetch upstream feeds: the network edge (client), the polling pace (schedule, pure) and the
concurrent pass over due sources (poller). Parsing what arrives is ingest's job."""
